"""Reads of the platform's front door ("My studies"): each study's live counts from its own schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q

from tenants.models import Study
from tenants.selectors import studies_of


@dataclass(frozen=True)
class HomeStudy:
    """One row of the front door's "My studies"."""

    study: Study
    role: str
    perms: frozenset[str]
    participants: int  # pilot participants not counted (as on the study's dashboard)
    in_progress: int
    last_activity: datetime | None
    external_id_params: list[str]  # the consent settings' panel parameters, for the panels' links
    pilots: int = 0  # joined while the study was piloting


def home_studies(user: Any) -> list[HomeStudy]:
    """ "My studies" with each study's live counts, read from its own schema (one query per study)."""
    from consent.selectors import consent_settings_get
    from core.study import for_each_study
    from games.models import GameSession
    from pseudonymization.models import Participant

    rows = []
    listed = studies_of(user)
    for study, (_, role, perms) in zip(for_each_study([s for s, _, _ in listed]), listed, strict=True):
        people = Participant.objects.exclude(status=Participant.Status.ERASED).aggregate(
            participants=Count("id", filter=Q(pilot=False)), pilots=Count("id", filter=Q(pilot=True))
        )
        sessions = GameSession.objects.aggregate(
            # Pilots left out, as on the dashboard; last activity counts anyone (the link is in use).
            in_progress=Count("id", filter=Q(status=GameSession.Status.IN_PROGRESS, participant__pilot=False)),
            last=Max("last_event_at"),
            started=Max("started_at"),
        )
        params = list(consent_settings_get().external_id_params)
        last = max((t for t in (sessions["last"], sessions["started"]) if t is not None), default=None)
        rows.append(
            HomeStudy(
                study, role, perms, people["participants"], sessions["in_progress"], last, params, people["pilots"]
            )
        )
    return rows
