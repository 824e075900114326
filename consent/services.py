"""Writes on consent documents: draft, publish (retiring the previous version)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from consent.canonical import consent_sha256
from consent.models import ConsentDocument
from research_platform.errors import ApplicationError


@transaction.atomic
def consent_document_draft(
    *, version: str, title: str, body: str, language: str = "en", created_by_id: int | None = None
) -> ConsentDocument:
    version, title = version.strip(), title.strip()
    if not version or not title or not body.strip():
        raise ApplicationError("invalid", "A consent document needs a version label, a title and a body.")
    if ConsentDocument.objects.filter(version=version).exists():
        raise ApplicationError("version_taken", f"Consent version '{version}' already exists.", status_code=409)
    return ConsentDocument.objects.create(
        version=version, title=title, body=body, language=language, created_by_id=created_by_id
    )


@transaction.atomic
def consent_document_publish(*, document: ConsentDocument) -> ConsentDocument:
    """Make ``document`` the current version; the previous current version is retired."""
    document = ConsentDocument.objects.select_for_update().get(pk=document.pk)
    if document.status != ConsentDocument.Status.DRAFT:
        raise ApplicationError("not_a_draft", "Only a draft can be published.", status_code=409)
    now = timezone.now()
    ConsentDocument.objects.filter(status=ConsentDocument.Status.PUBLISHED).update(
        status=ConsentDocument.Status.RETIRED, retired_at=now
    )
    document.sha256 = consent_sha256(
        version=document.version, title=document.title, language=document.language, body=document.body
    )
    document.status = ConsentDocument.Status.PUBLISHED
    document.published_at = now
    document.save(update_fields=["sha256", "status", "published_at"])
    return document
