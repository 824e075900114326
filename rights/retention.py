"""Retention: erase identifiers and/or raw events after the number of days the study's policy sets.

The policy (settings) is ``rights.models.RetentionPolicy`` (managers edit it on the dashboard's
settings page, through ``rights.services.retention_policy_update``); this module enforces it in the
CURRENT study's schema. The clock starts at the participant's last completed session (identifiers;
enrolment when they never completed one) and at each session's completion (raw events; its start
when it never completed). Idempotent: a second run finds nothing left.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from auditlog.context import disable_auditlog
from django.apps import apps
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.services import audit_event
from core.study import current_study_slug
from pseudonymization.models import Participant
from pseudonymization.services import participant_shred_key
from rights.selectors import retention_policy_get


def retention_policy_days() -> tuple[int | None, int | None]:
    """(erase identifiers after, erase raw events after) in days; None = keep."""
    policy = retention_policy_get()
    return policy.erase_identifiers_after_days, policy.erase_raw_events_after_days


def _identifiers_before(cutoff: datetime) -> int:
    candidates = Participant.objects.filter(Q(external_id_index__isnull=False) | Q(data_key__isnull=False))
    candidates = candidates.annotate(
        clock=Coalesce(Max("sessions__completed_at", filter=Q(sessions__completed_at__isnull=False)), "created_at")
    )
    erased = 0
    for participant in candidates.filter(clock__lt=cutoff).distinct():
        participant_shred_key(participant=participant)
        erased += 1
    return erased


def _raw_events_before(cutoff: datetime) -> int:
    event_model = apps.get_model("games", "Event")
    old = Q(session__completed_at__lt=cutoff) | Q(session__completed_at__isnull=True, session__started_at__lt=cutoff)
    deleted, _ = event_model._base_manager.filter(old).delete()
    return deleted


@transaction.atomic
def retention_apply(
    *, now: datetime | None = None, policy: tuple[int | None, int | None] | None = None
) -> dict[str, int]:
    """Apply the study's policy (or ``policy`` = (identifier days, raw-event days)) now.

    Returns what was erased; one audit entry per kind that erased anything.
    """
    now = now or timezone.now()
    identifier_days, event_days = policy if policy is not None else retention_policy_days()
    result = {"identifiers": 0, "raw_events": 0}
    with disable_auditlog():
        if identifier_days is not None:
            result["identifiers"] = _identifiers_before(now - timedelta(days=identifier_days))
        if event_days is not None:
            result["raw_events"] = _raw_events_before(now - timedelta(days=event_days))
    for kind, days in (("identifiers", identifier_days), ("raw_events", event_days)):
        if result[kind]:
            audit_event(
                action=f"rights.retention.{kind}",
                details={"count": result[kind], "after_days": days, "study": current_study_slug()},
            )
    return result
