"""Reads of pipeline results: the latest profile of a participant, a session's metrics and fits."""

from __future__ import annotations

import uuid
from typing import Any

from pseudonymization.models import Participant
from traits.mapping import TRAITS_VERSION
from traits.metrics import METRICS_VERSION
from traits.models import ModelFit, SessionMetrics, StudyNorms, TraitProfile


def _session_id(session: Any) -> uuid.UUID:
    """Accept a GameSession, a UUID or its string (the games app and the APIs hold different things)."""
    value = getattr(session, "pk", session)
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def participant_get(*, participant_code: str) -> Participant | None:
    """The participant of that code in this study, whatever their status (the researcher APIs' lookup)."""
    return Participant.objects.filter(participant_code=participant_code).first()


def study_norms_active(*, version: str | None = None) -> StudyNorms | None:
    """The active norms of `version`: norms of another mapping version measure other indicators
    (1.x learning was |slope|), so they never place a profile of this one."""
    from traits import mapping  # read when called: tests and recomputes may change the version

    version = version or mapping.TRAITS_VERSION
    return StudyNorms.objects.filter(active=True, traits_version=version).order_by("-created_at", "-id").first()


def profile_latest(*, participant: Participant, version: str = TRAITS_VERSION) -> TraitProfile | None:
    """The participant's profile of `version` from their most recently processed session.

    The session is the one whose default-reference profile is newest (that row is written when a
    session is first processed and never re-dated). Its profile against the study's active norms
    is preferred when there is one; otherwise the default-reference profile.
    """
    rows = TraitProfile.objects.filter(participant=participant, traits_version=version)
    latest = rows.filter(reference="default").order_by("-created_at", "-id").first()
    if latest is None:
        return rows.order_by("-created_at", "-id").first()
    norms = study_norms_active(version=version)
    if norms is not None:
        normed = rows.filter(session_id=latest.session_id, reference=norms.label).first()
        if normed is not None:
            return normed
    return latest


def profiles_of_participant(*, participant: Participant) -> list[TraitProfile]:
    """Every stored profile of a participant, all versions, newest first."""
    return list(
        TraitProfile.objects.filter(participant=participant)
        .select_related("participant")  # the API names each profile's participant
        .order_by("-created_at", "-id")
    )


def metrics_latest(*, session: Any, version: str = METRICS_VERSION) -> SessionMetrics | None:
    return SessionMetrics.objects.filter(session_id=_session_id(session), metrics_version=version).first()


def fits_for_session(*, session: Any) -> list[ModelFit]:
    """Every fit of the session, all model versions (older versions kept for comparison)."""
    return list(ModelFit.objects.filter(session_id=_session_id(session)).order_by("model", "-created_at", "-id"))


def fits_of_participant(*, participant: Participant, model_versions: list[str]) -> list[ModelFit]:
    """The participant's per-session fits of the given model versions, by model, newest first."""
    return list(
        ModelFit.objects.filter(participant=participant, model_version__in=model_versions).order_by(
            "model", "-created_at", "-id"
        )
    )


def sessions_pending_processing(*, older_than_seconds: int = 0, limit: int = 500) -> list[uuid.UUID]:
    """Sessions of the current study completed at least `older_than_seconds` ago and not processed yet."""
    from datetime import timedelta

    from django.utils import timezone

    from games.models import GameSession

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    # Withdrawn/erased participants' sessions are never processed (issue 8): not pending either.
    pending = GameSession.objects.filter(
        status=GameSession.Status.COMPLETED, completed_at__lte=cutoff, participant__status="active"
    )
    return list(pending.order_by("completed_at").values_list("pk", flat=True)[:limit])
