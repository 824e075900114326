"""Reads of the audit trail across chains: search with filters, one entry, CSV rows.

Entries live in the chain of the schema they were written in: a study's own schema, or public
for platform-level actions (each public entry names its study in ``study``). A search over a
study therefore reads its schema's chain plus the public entries about it.

Which studies a person may search is decided above this app, by their study roles
(compliance.selectors): these reads take the studies they are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from core.errors import ApplicationError

KINDS = {0: "create", 1: "update", 2: "delete", 3: "access"}
MAX_LIMIT = 500


class ChainedStudy(Protocol):
    """What a search needs of a study (a tenants.Study): its slug and the schema holding its chain."""

    slug: str
    schema_name: str


# What an actor label can start with (audit.context): the filter treats other words as usernames.
LABEL_FORMS = ("user:", "participant:", "task:", "system", "anonymous")


@dataclass(frozen=True)
class AuditFilters:
    """A search of the trail. ``actor`` is what was typed; the search itself uses ``actor_ids``
    (a user id, or the accounts a username names) or ``actor_prefix`` (a label prefix)."""

    actor: str = ""
    action: str = ""
    obj: str = ""
    since: datetime | None = None
    until: datetime | None = None
    study: str = ""
    actor_ids: tuple[int, ...] = ()
    actor_prefix: str = ""
    # Whose own audit_query entries to leave out (the person searching), unless they ask for them.
    viewer_id: int | None = None
    include_own_queries: bool = False

    def as_dict(self) -> dict[str, str]:
        """The filters, pseudonymous, for the audit_query entry: a username is recorded as the
        "user:<id>" it names, never as typed (nothing identifying in audit payloads)."""
        return {
            k: v
            for k, v in {
                "actor": self._recorded_actor(),
                "action": self.action,
                "object": self.obj,
                "since": self.since.isoformat() if self.since else "",
                "until": self.until.isoformat() if self.until else "",
                "study": self.study,
                "include_own_queries": "1" if self.include_own_queries else "",
            }.items()
            if v
        }

    def _recorded_actor(self) -> str:
        if not self.actor:
            return ""
        if self.actor_ids:
            return ",".join(f"user:{pk}" for pk in self.actor_ids)
        return self.actor_prefix or "(no such user)"


def _parse_moment(value: str, *, end: bool) -> datetime:
    """An ISO date (the whole day, inclusive) or date-time; naive ones are in the server's time zone."""
    # A plain date first: parse_datetime reads "2025-01-31" as its midnight, which would cut "until" short.
    day = parse_date(value)
    if day is not None:
        moment = datetime.combine(day, time.max if end else time.min)
    else:
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _actor_search(actor: str) -> tuple[tuple[int, ...], str]:
    """(user ids, label prefix) that ``actor`` means: "42" and "user:42" are an id, text with a colon
    or the start of a label form ("task:", "system") a label prefix, any other word a username
    (exact, case-insensitive; usernames cannot contain a colon). An unknown username matches nothing."""
    number = actor.removeprefix("user:")
    if number.isdigit():
        return (int(number),), ""
    if ":" in actor:
        return (), actor
    ids = tuple(sorted(get_user_model().objects.filter(username__iexact=actor).values_list("pk", flat=True)))
    if ids:
        return ids, ""
    if any(form.startswith(actor) for form in LABEL_FORMS):
        return (), actor
    return (), ""


def parse_filters(params: Any, *, viewer: Any = None) -> AuditFilters:
    """Read filters from a QueryDict; raise a 400 naming every unreadable one.

    ``viewer`` is the person searching: their own audit_query entries are left out unless
    ``include_own_queries`` is true (each search records one, so they would fill the newest page).
    """
    errors: dict[str, str] = {}
    moments: dict[str, datetime | None] = {"since": None, "until": None}
    for name in moments:
        raw = (params.get(name) or "").strip()
        if raw:
            try:
                moments[name] = _parse_moment(raw, end=name == "until")
            except ValueError:
                errors[name] = "Use a date such as 2025-01-31 (or an ISO 8601 date-time, 2025-01-31T12:00:00Z)."
    if errors:
        raise ApplicationError("invalid_filter", "Some filters could not be read.", details=errors)
    actor = (params.get("actor") or "").strip()[:120]
    actor_ids, actor_prefix = _actor_search(actor) if actor else ((), "")
    include_own = (params.get("include_own_queries") or "").strip().lower() in {"1", "true", "on", "yes"}
    return AuditFilters(
        actor=actor,
        action=(params.get("action") or "").strip()[:100],
        obj=(params.get("object") or "").strip()[:200],
        since=moments["since"],
        until=moments["until"],
        study=(params.get("study") or "").strip()[:40],
        actor_ids=actor_ids,
        actor_prefix=actor_prefix,
        viewer_id=getattr(viewer, "pk", None) if getattr(viewer, "is_authenticated", False) else None,
        include_own_queries=include_own,
    )


def _filtered(qs: QuerySet[AuditEntry], f: AuditFilters) -> QuerySet[AuditEntry]:
    if f.actor:
        # An id matches that user directly or through a task they queued ("user:42 via task:...").
        if f.actor_ids:
            qs = qs.filter(actor_id__in=f.actor_ids)
        elif f.actor_prefix:
            qs = qs.filter(actor_label__startswith=f.actor_prefix)
        else:
            qs = qs.none()
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
    if f.viewer_id is not None and not f.include_own_queries:
        qs = qs.exclude(event="audit_query", actor_id=f.viewer_id)
    return qs


def entry_dict(entry: AuditEntry, chain: str) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "chain": chain,
        "seq": entry.seq,
        "timestamp": entry.timestamp.isoformat(),
        "study": entry.study or None,
        "action": entry.event,
        "kind": KINDS.get(entry.action, "event"),
        "actor": {"id": entry.actor_id, "label": entry.actor_label, "username": None},
        "object": {"type": entry.object_type, "pk": entry.object_pk, "repr": entry.object_repr},
        "changes": entry.changes or {},
        "details": entry.additional_data or {},
        "reason": entry.reason,
        "redacted": entry.redacted_at is not None,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def actor_usernames(ids: Iterable[int | None]) -> dict[int, str]:
    """Usernames of the accounts behind actor ids, in one query: for showing and searching only,
    never stored in an entry. Participants are never accounts (their entries carry no actor id,
    only the pseudonymous label), so nothing here can name a participant."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    with schema_context("public"):
        return dict(get_user_model().objects.filter(pk__in=wanted).values_list("pk", "username"))


def with_usernames(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with ``actor.username`` filled in (None for deleted accounts and non-users)."""
    names = actor_usernames(r["actor"]["id"] for r in rows)
    for r in rows:
        r["actor"]["username"] = names.get(r["actor"]["id"])
    return rows


def _chains(studies: Sequence[ChainedStudy], platform_wide: bool, f: AuditFilters) -> Iterator[tuple[str, str, Q]]:
    """(chain name, schema, extra condition) for every chain a search reads."""
    slugs = [s.slug for s in studies]
    public_q = Q(study__in=slugs) | Q(study="") if platform_wide else Q(study__in=slugs)
    yield "public", "public", public_q
    for study in studies:
        yield study.slug, study.schema_name, Q()


def search(
    studies: Sequence[ChainedStudy], platform_wide: bool, f: AuditFilters, *, limit: int, offset: int
) -> dict[str, Any]:
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
    page = with_usernames(rows[offset:wanted])
    return {"count": total, "limit": limit, "offset": offset, "results": page}


def iter_entries(studies: Sequence[ChainedStudy], platform_wide: bool, f: AuditFilters) -> Iterator[dict[str, Any]]:
    """Every matching entry, chain by chain in ``seq`` order (the CSV export streams this)."""
    for chain, schema, condition in _chains(studies, platform_wide, f):
        with schema_context(schema):
            qs = _filtered(AuditEntry.objects.filter(condition), f).order_by("seq")
            batch: list[dict[str, Any]] = []
            last = 0
            while True:
                # Keyset pages: no open cursor is held across the schema switch of the next chain.
                batch = with_usernames([entry_dict(e, chain) for e in qs.filter(seq__gt=last)[:1000]])
                if not batch:
                    break
                last = batch[-1]["seq"]
                yield from batch


def entry_detail(
    studies: Sequence[ChainedStudy], platform_wide: bool, chain: str, entry_id: int
) -> dict[str, Any] | None:
    """One entry of a chain the caller may read, or None."""
    for name, schema, condition in _chains(studies, platform_wide, AuditFilters()):
        if name != chain:
            continue
        with schema_context(schema):
            entry = AuditEntry.objects.filter(condition, pk=entry_id).first()
            return with_usernames([entry_dict(entry, chain)])[0] if entry else None
    return None
