"""Reads on participants for researchers: codes, status, consent state; never identifiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Count, Prefetch, QuerySet

from pseudonymization.models import Participant


def _sessions_relation() -> str | None:
    """The reverse name of the games app's sessions, once that model exists (it lands separately)."""
    try:
        model = apps.get_model("games", "GameSession")
    except LookupError:
        return None
    field = model._meta.get_field("participant")
    return field.related_query_name() if field.remote_field else None


def participants_for_researchers(*, status: str | None = None) -> QuerySet[Participant]:
    """Participants with their consent records prefetched (and a session count when games has sessions).

    Constant query count whatever the page size: the page, one prefetch of records with documents.
    """
    from consent.models import ConsentRecord  # consent depends on pseudonymization, not back

    queryset = (
        Participant.objects.select_related("duplicate_of")
        .order_by("created_at", "id")
        .prefetch_related(
            Prefetch(
                "consent_records",
                queryset=ConsentRecord.objects.select_related("document").order_by("-agreed_at", "-id"),
                to_attr="records_newest_first",
            )
        )
    )
    relation = _sessions_relation()
    if relation is not None:
        queryset = queryset.annotate(session_count=Count(relation, distinct=True))
    if status:
        queryset = queryset.filter(status=status)
    return queryset


@dataclass(frozen=True)
class ConsentState:
    state: str  # "current" | "outdated" | "withdrawn" | "none"
    version: str | None
    agreed_at: datetime | None
    method: str | None


def consent_state(*, participant: Participant, require_reconsent: bool) -> ConsentState:
    """What the researcher list says about a participant's consent (uses the prefetched records)."""
    records = getattr(participant, "records_newest_first", None)
    if records is None:
        records = list(participant.consent_records.select_related("document").order_by("-agreed_at", "-id"))
    if not records:
        return ConsentState("none", None, None, None)
    latest = records[0]
    if participant.status != Participant.Status.ACTIVE or latest.withdrawn_at is not None:
        state = "withdrawn"
    elif require_reconsent and latest.document.status != latest.document.Status.PUBLISHED:
        state = "outdated"
    else:
        state = "current"
    return ConsentState(state, latest.document.version, latest.agreed_at, latest.method)
