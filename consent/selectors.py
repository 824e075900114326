"""Reads on consent documents."""

from __future__ import annotations

from consent.models import ConsentDocument


def consent_document_current() -> ConsentDocument | None:
    return ConsentDocument.objects.filter(status=ConsentDocument.Status.PUBLISHED).first()
