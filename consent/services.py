"""Writes on consent: documents (draft, publish), agreement (a participant and a token), withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_event
from consent.canonical import consent_sha256
from consent.models import ConsentDocument, ConsentRecord, ConsentSettings
from consent.selectors import consent_document_current, consent_settings_get
from core.errors import ApplicationError
from core.study import current_study
from pseudonymization.models import Participant
from pseudonymization.services import (
    participant_enrol,
    participant_mark_withdrawn,
    token_issue,
    tokens_revoke_all,
)


@transaction.atomic
def consent_document_draft(
    *, version: str, title: str, body: str, language: str = "en", acting_user: Any = None
) -> ConsentDocument:
    version, title = version.strip(), title.strip()
    if not version or not title or not body.strip():
        raise ApplicationError("invalid", "A consent document needs a version label, a title and a body.")
    if ConsentDocument.objects.filter(version=version).exists():
        raise ApplicationError("version_taken", f"Consent version '{version}' already exists.", status_code=409)
    return ConsentDocument.objects.create(
        version=version,
        title=title,
        body=body,
        language=language,
        # Global users live in public: the document keeps the id of who wrote it (None: the platform).
        created_by_id=getattr(acting_user, "pk", None),
    )


def _draft_for_change(document: ConsentDocument) -> ConsentDocument:
    document = ConsentDocument.objects.select_for_update().get(pk=document.pk)
    if document.status != ConsentDocument.Status.DRAFT:
        raise ApplicationError(
            "not_a_draft", "A published version never changes: draft a new version instead.", status_code=409
        )
    return document


@transaction.atomic
def consent_document_edit_draft(
    *, document: ConsentDocument, version: str, title: str, body: str, language: str = "en"
) -> ConsentDocument:
    """Change a draft's wording or label; nobody has agreed to a draft, so nothing else changes."""
    document = _draft_for_change(document)
    version, title = version.strip(), title.strip()
    if not version or not title or not body.strip():
        raise ApplicationError("invalid", "A consent document needs a version label, a title and a body.")
    if ConsentDocument.objects.filter(version=version).exclude(pk=document.pk).exists():
        raise ApplicationError("version_taken", f"Consent version '{version}' already exists.", status_code=409)
    document.version, document.title, document.body, document.language = version, title, body, language
    document.save(update_fields=["version", "title", "body", "language"])
    return document


@transaction.atomic
def consent_document_delete_draft(*, document: ConsentDocument) -> None:
    """Delete a draft (the audit trail keeps its record); published and retired versions stay for good."""
    _draft_for_change(document).delete()


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


@dataclass(frozen=True)
class ConsentGiven:
    participant: Participant
    record: ConsentRecord
    token: str  # shown once; only its hash is stored
    created: bool  # False for a known participant agreeing again (re-consent from their own browser)


def _current_document_matching(*, version: str, sha256: str) -> ConsentDocument:
    document = consent_document_current()
    if document is None:
        raise ApplicationError("no_consent_document", "This study has no published consent document.", status_code=409)
    if version != document.version or sha256.lower() != document.sha256:
        raise ApplicationError(
            "consent_outdated",
            "The consent document agreed to is not the current version; read the current one and agree again.",
            details={"current_version": document.version, "current_sha256": document.sha256},
            status_code=409,
        )
    return document


@transaction.atomic
def consent_give(
    *,
    version: str,
    sha256: str,
    method: str,
    external_id: str | None = None,
    participant: Participant | None = None,
) -> ConsentGiven:
    """Record an explicit agreement to the current document and issue a participant token.

    ``participant`` is the already-known person agreeing again (re-consent, proven by their own
    token); otherwise a new participant is enrolled, with ``external_id`` if given (never an
    existing participant: see pseudonymization.services.participant_enrol).
    """
    study = current_study()
    if study is not None and not study.accepts_participants:
        raise ApplicationError("not_recruiting", "This study is not recruiting participants.", status_code=409)
    document = _current_document_matching(version=version, sha256=sha256)
    created = participant is None
    if participant is None:
        # Who joins while the study is piloting is the team trying it: marked, and left out of analysis.
        participant = participant_enrol(external_id=external_id, pilot=bool(getattr(study, "is_piloting", False)))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != Participant.Status.ACTIVE:
        raise ApplicationError(
            "withdrawn", "This participant withdrew from the study and cannot take part again.", status_code=409
        )
    record = ConsentRecord.objects.filter(participant=participant, document=document, withdrawn_at__isnull=True).first()
    if record is None:
        record = ConsentRecord.objects.create(
            participant=participant, document=document, sha256=document.sha256, method=method
        )
    lifetime = timedelta(hours=consent_settings_get().token_lifetime_hours)
    token, _ = token_issue(participant=participant, lifetime=lifetime)
    return ConsentGiven(participant=participant, record=record, token=token, created=created)


@transaction.atomic
def consent_withdraw(*, participant: Participant, reason: str = "") -> Participant:
    """Withdraw every live agreement and revoke every token; no further data is accepted. Idempotent.

    A token revoked by the withdrawal still names its (withdrawn) participant until it expires:
    participant endpoints then answer 409 `withdrawn`, and only the person's own rights endpoints
    (``allow_withdrawn``: their data, a deletion request) let it through (see authentication.token_lookup).
    """
    now = timezone.now()
    ConsentRecord.objects.filter(participant=participant, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawal_reason=reason.strip()[:2000]
    )
    participant = participant_mark_withdrawn(participant=participant)
    tokens_revoke_all(participant=participant)
    return participant


@transaction.atomic
def consent_settings_update(*, acting_user: Any, **changes: Any) -> ConsentSettings:
    """Change the study's consent settings (only ConsentSettings.EDITABLE), audited with the changed names."""
    ConsentSettings.refuse_unknown(changes)
    errors: dict[str, list[str]] = {}
    params = changes.get("external_id_params")
    if params is not None and (
        not isinstance(params, list) or not all(isinstance(p, str) and p.strip() and len(p) <= 64 for p in params)
    ):
        errors["external_id_params"] = ["A list of query-parameter names."]
    url = changes.get("completion_url")
    if url is not None and (not isinstance(url, str) or (url and not url.startswith(("https://", "http://")))):
        errors["completion_url"] = ["An http(s) address, or empty for none."]
    hours = changes.get("token_lifetime_hours")
    if hours is not None and (not isinstance(hours, int) or not 1 <= hours <= 24 * 90):
        errors["token_lifetime_hours"] = ["Between 1 and 2160 hours."]
    if errors:
        raise ApplicationError("invalid", "The request is not valid.", details=errors)
    row, changed = ConsentSettings.apply(changes)
    audit_event(action="consent.settings.update", obj=row, actor=acting_user, details={"changed": changed})
    return row
