"""Verify the chain of one schema (public or a study) or of all of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django_tenants.utils import schema_context

from audit.chain import ChainRow, Verdict, verify_rows
from audit.models import AuditEntry


def _rows() -> Iterator[ChainRow]:
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        yield ChainRow(
            pk=entry.pk,
            seq=entry.seq,
            prev_hash=entry.prev_hash,
            content_hash=entry.content_hash,
            entry_hash=entry.entry_hash,
            content=None if entry.redacted_at else entry.chain_content(),
        )


def verify_current_schema() -> Verdict:
    return verify_rows(_rows())


def verify_schema(schema_name: str) -> Verdict:
    with schema_context(schema_name):
        return verify_current_schema()


def verify_studies(slugs: list[str] | None = None, *, include_platform: bool = True) -> list[dict[str, Any]]:
    """One result per chain: the platform's (public) and each study's, in slug order."""
    from tenants.models import Study

    studies = Study.objects.order_by("slug")
    if slugs is not None:
        studies = studies.filter(slug__in=slugs)
    results = []
    if include_platform:
        results.append({"study": None, "schema": "public", **verify_schema("public").as_dict()})
    for study in studies:
        results.append({"study": study.slug, "schema": study.schema_name, **verify_schema(study.schema_name).as_dict()})
    return results
