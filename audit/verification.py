"""Verify the chain of one schema (public or a study) or of all of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django_tenants.utils import schema_context

import core.study
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
            # Format /2 checks a redacted entry field by field; /1 could only skip it.
            content=entry.chain_content() if entry.field_hashes is not None or not entry.redacted_at else None,
            field_hashes=entry.field_hashes,
            redacted=entry.redacted_at is not None,
        )


def verify_current_schema() -> Verdict:
    return verify_rows(_rows())


def verify_schema(schema_name: str) -> Verdict:
    with schema_context(schema_name):
        return verify_current_schema()


def verify_schema_full(schema_name: str, exported: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The chain, then the chain against its signed checkpoints (stored, plus any exported copies)."""
    from audit.checkpoints import checkpoint_problems

    with schema_context(schema_name):
        result = verify_current_schema().as_dict()
        problems = checkpoint_problems()
        if exported:
            problems += [f"exported {p}" for p in checkpoint_problems(exported)]
    result["checkpoint_problems"] = problems
    result["intact"] = result["intact"] and not problems
    return result


def verify_studies(
    slugs: list[str] | None = None, *, include_platform: bool = True, exported: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """One result per chain: the platform's (public) and each study's, in slug order.

    ``exported``: checkpoints the compliance officer kept (each names its schema); a chain that
    was rewritten or cut below one of them is reported broken even if its stored checkpoints
    were deleted with it.
    """
    studies = core.study.studies()
    if slugs is not None:
        studies = studies.filter(slug__in=slugs)
    results = []
    if include_platform:
        results.append({"study": None, "schema": "public", **verify_schema_full("public", exported)})
    for study in studies:
        results.append(
            {"study": study.slug, "schema": study.schema_name, **verify_schema_full(study.schema_name, exported)}
        )
    return results
