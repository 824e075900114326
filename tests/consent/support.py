"""Helpers shared by the consent and pseudonymization tests (not fixtures: plain functions)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_tenants.utils import tenant_context

from consent.models import ConsentDocument
from consent.services import consent_document_draft, consent_document_publish


def publish(study: Any, version: str = "1.0", body: str = "You may stop at any time.") -> ConsentDocument:
    with tenant_context(study):
        return consent_document_publish(document=consent_document_draft(version=version, title="Consent", body=body))


def enrol(client: Client, document: ConsentDocument, **extra: Any) -> Any:
    payload = {"consent_version": document.version, "consent_sha256": document.sha256, "agree": True, **extra}
    return client.post("/api/v1/participants/", payload, content_type="application/json")


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
