"""Reads of the audit trail across chains: who may see which study, search with filters, CSV rows.

Entries live in the chain of the schema they were written in: a study's own schema, or public
for platform-level actions (each public entry names its study in ``study``). A search over a
study therefore reads its schema's chain plus the public entries about it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from research_platform.errors import ApplicationError
from tenants.models import Study
from tenants.permissions import study_perms_of

KINDS = {0: "create", 1: "update", 2: "delete", 3: "access"}
MAX_LIMIT = 500


def is_platform_auditor(user: Any) -> bool:
    """Superusers see every study's trail and the platform-wide entries (docs/roles.md).

    ``is_staff`` alone is not enough: it opens the Django admin, not the audit trail, which only
    superusers and holders of ``view_audit`` on a study may read (separation of duties).
    """
    return bool(getattr(user, "is_active", False) and user.is_superuser)


def covered_studies(user: Any) -> list[Study]:
    """The studies whose trail ``user`` may read (view_audit), in slug order."""
    if not getattr(user, "is_authenticated", False):
        return []
    studies = list(Study.objects.order_by("slug"))
    if is_platform_auditor(user):
        return studies
    return [s for s in studies if "view_audit" in study_perms_of(user, s)]


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    obj: str = ""
    since: datetime | None = None
    until: datetime | None = None
    study: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, str]:
        """The filters as given (for the audit_query entry and for links)."""
        return {
            k: v
            for k, v in {
                "actor": self.actor,
                "action": self.action,
                "object": self.obj,
                "since": self.since.isoformat() if self.since else "",
                "until": self.until.isoformat() if self.until else "",
                "study": self.study,
            }.items()
            if v
        }


def _parse_moment(value: str, *, end: bool) -> datetime | None:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        moment = datetime.combine(day, time.max if end else time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def parse_filters(params: Any) -> AuditFilters:
    """Read filters from a QueryDict; raise a 400 naming every unreadable one."""
    errors: dict[str, str] = {}
    moments: dict[str, datetime | None] = {"since": None, "until": None}
    for name in moments:
        raw = (params.get(name) or "").strip()
        if raw:
            try:
                moments[name] = _parse_moment(raw, end=name == "until")
            except ValueError:
                errors[name] = "Use an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z."
    if errors:
        raise ApplicationError("invalid_filter", "Some filters could not be read.", details=errors)
    return AuditFilters(
        actor=(params.get("actor") or "").strip()[:120],
        action=(params.get("action") or "").strip()[:100],
        obj=(params.get("object") or "").strip()[:200],
        since=moments["since"],
        until=moments["until"],
        study=(params.get("study") or "").strip()[:40],
    )


def _filtered(qs: QuerySet[AuditEntry], f: AuditFilters) -> QuerySet[AuditEntry]:
    if f.actor:
        # "42" or "user:42" = that user (directly or through a task); otherwise a label prefix.
        number = f.actor.removeprefix("user:")
        if number.isdigit():
            qs = qs.filter(actor_id=int(number))
        else:
            qs = qs.filter(actor_label__startswith=f.actor)
    if f.action:
        # "membership" matches membership.grant and membership.revoke; "reidentify" matches itself.
        qs = qs.filter(Q(event=f.action) | Q(event__startswith=f.action.rstrip(".") + "."))
    if f.obj:
        # "tenants.study", "tenants.study:3", or a representation such as a participant code.
        kind, _, pk = f.obj.partition(":")
        if "." in kind and not kind.startswith("."):
            qs = qs.filter(object_type=kind.lower())
            if pk:
                qs = qs.filter(object_pk=pk)
        else:
            qs = qs.filter(Q(object_repr=f.obj) | Q(object_pk=f.obj))
    if f.since:
        qs = qs.filter(timestamp__gte=f.since)
    if f.until:
        qs = qs.filter(timestamp__lte=f.until)
    return qs


def scope_for(user: Any, f: AuditFilters, *, only: Study | None = None) -> tuple[list[Study], bool]:
    """(studies to search, include platform-wide entries?) or 404 for a study outside the cover."""
    studies = [only] if only is not None else covered_studies(user)
    if f.study:
        studies = [s for s in studies if s.slug == f.study]
        if not studies:
            raise ApplicationError("not_found", "No such study among those you may audit.", status_code=404)
    platform_wide = only is None and not f.study and is_platform_auditor(user)
    return studies, platform_wide


def entry_dict(entry: AuditEntry, chain: str) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "chain": chain,
        "seq": entry.seq,
        "timestamp": entry.timestamp.isoformat(),
        "study": entry.study or None,
        "action": entry.event,
        "kind": KINDS.get(entry.action, "event"),
        "actor": {"id": entry.actor_id, "label": entry.actor_label},
        "object": {"type": entry.object_type, "pk": entry.object_pk, "repr": entry.object_repr},
        "changes": entry.changes or {},
        "details": entry.additional_data or {},
        "reason": entry.reason,
        "redacted": entry.redacted_at is not None,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def _chains(studies: list[Study], platform_wide: bool, f: AuditFilters) -> Iterator[tuple[str, str, Q]]:
    """(chain name, schema, extra condition) for every chain a search reads."""
    slugs = [s.slug for s in studies]
    public_q = Q(study__in=slugs) | Q(study="") if platform_wide else Q(study__in=slugs)
    yield "public", "public", public_q
    for study in studies:
        yield study.slug, study.schema_name, Q()


def search(studies: list[Study], platform_wide: bool, f: AuditFilters, *, limit: int, offset: int) -> dict[str, Any]:
    """Newest first across chains; ``count`` is the total over every chain read."""
    wanted = offset + limit
    rows: list[dict[str, Any]] = []
    total = 0
    for chain, schema, condition in _chains(studies, platform_wide, f):
        with schema_context(schema):
            qs = _filtered(AuditEntry.objects.filter(condition), f)
            total += qs.count()
            rows.extend(entry_dict(e, chain) for e in qs.order_by("-timestamp", "-seq")[:wanted])
    rows.sort(key=lambda r: (r["timestamp"], r["seq"]), reverse=True)
    page = rows[offset:wanted]
    return {"count": total, "limit": limit, "offset": offset, "results": page}


def iter_entries(studies: list[Study], platform_wide: bool, f: AuditFilters) -> Iterator[dict[str, Any]]:
    """Every matching entry, chain by chain in ``seq`` order (the CSV export streams this)."""
    for chain, schema, condition in _chains(studies, platform_wide, f):
        with schema_context(schema):
            qs = _filtered(AuditEntry.objects.filter(condition), f).order_by("seq")
            batch: list[dict[str, Any]] = []
            last = 0
            while True:
                # Keyset pages: no open cursor is held across the schema switch of the next chain.
                batch = [entry_dict(e, chain) for e in qs.filter(seq__gt=last)[:1000]]
                if not batch:
                    break
                last = batch[-1]["seq"]
                yield from batch


def entry_detail(studies: list[Study], platform_wide: bool, chain: str, entry_id: int) -> dict[str, Any] | None:
    """One entry of a chain the caller may read, or None."""
    for name, schema, condition in _chains(studies, platform_wide, AuditFilters()):
        if name != chain:
            continue
        with schema_context(schema):
            entry = AuditEntry.objects.filter(condition, pk=entry_id).first()
            return entry_dict(entry, chain) if entry else None
    return None
