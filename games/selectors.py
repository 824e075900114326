"""Reads of the games app: the study's game settings; sessions, balloons and events in seq order; the
researchers' participant list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from consent.selectors import consent_records_prefetch
from games.config import normalize_game_config
from games.models import Balloon, Event, GameSession, GameSettings
from pseudonymization.models import Participant

EVENT_FIELDS = ("event_id", "seq", "type", "t", "client_ts", "balloon", "data")


def game_settings_get() -> GameSettings:
    """The current study's game settings row, or an unsaved row holding the defaults."""
    return GameSettings.get()


def game_config_current() -> dict[str, Any]:
    """The current study's game configuration, complete (the standard task's values where unset)."""
    return normalize_game_config(game_settings_get().config)


def session_get_for_participant(*, participant: Participant, session_id: Any) -> GameSession | None:
    """The participant's own session, or None (someone else's session is simply not found)."""
    return GameSession.objects.filter(pk=session_id, participant=participant).first()


def session_list(*, participant_code: str | None = None, status: str | None = None) -> QuerySet[GameSession]:
    sessions = GameSession.objects.select_related("participant").order_by("-started_at", "id")
    if participant_code:
        sessions = sessions.filter(participant__participant_code=participant_code)
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def participants_for_researchers(*, status: str | None = None) -> QuerySet[Participant]:
    """Participants with their consent records prefetched and ``session_count``; never identifiers.

    Here, not in pseudonymization, because it needs consent records and game sessions. Constant
    query count whatever the page size: the page (with the count), one prefetch of records.
    """
    queryset = (
        Participant.objects.select_related("duplicate_of")
        .order_by("created_at", "id")
        .prefetch_related(consent_records_prefetch())
        .annotate(session_count=Count("sessions", distinct=True))
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


@dataclass(frozen=True)
class FinishedGame:
    session_id: Any
    earnings: float


def session_finished_for(*, participant: Participant) -> FinishedGame | None:
    """The participant's last finished game, unless a game is still open (then the page resumes it)."""
    sessions = GameSession.objects.filter(participant=participant)
    if sessions.filter(status=GameSession.Status.IN_PROGRESS).exists():
        return None
    finished = sessions.filter(status__in=("completed", "processed", "flagged")).order_by("-started_at").first()
    if finished is None:
        return None
    total = Balloon.objects.filter(session=finished).aggregate(total=Sum("earnings"))["total"] or 0
    return FinishedGame(session_id=finished.pk, earnings=float(total))


def session_latest_finished_id(*, participant: Participant) -> Any | None:
    """The participant's most recently completed session that the pipeline has processed (or flagged)."""
    return (
        GameSession.objects.filter(
            participant=participant, status__in=(GameSession.Status.PROCESSED, GameSession.Status.FLAGGED)
        )
        .order_by("-completed_at")
        .values_list("pk", flat=True)
        .first()
    )


def session_get(*, session_id: Any) -> GameSession | None:
    return GameSession.objects.select_related("participant").filter(pk=session_id).first()


def session_balloons(*, session: GameSession) -> QuerySet[Balloon]:
    return Balloon.objects.filter(session=session).order_by("index")


def session_events_queryset(*, session: GameSession) -> QuerySet[Event]:
    """Every stored event of the session in seq order (ties, i.e. repeated seqs, by arrival)."""
    return Event.objects.filter(session=session).order_by("seq", "id")


def session_events(*, session: GameSession) -> list[dict[str, Any]]:
    """The session's events in seq order, in bart-events/1 shape (what traits reads)."""
    rows = session_events_queryset(session=session).values_list(*EVENT_FIELDS)
    return [
        {"event_id": str(r[0]), "seq": r[1], "type": r[2], "t": r[3], "client_ts": r[4], "balloon": r[5], "data": r[6]}
        for r in rows
    ]


def session_progress(*, session: GameSession) -> dict[str, Any]:
    """What a client needs to resume: the next seq and each balloon's state so far."""
    fields = ["index", "pumps", "outcome", "earnings"]
    if session.config.get("pump_confirmation") == "server":  # where the server's own count stands
        fields += ["confirmed_pumps", "confirmed_outcome"]
    balloons = list(session_balloons(session=session).values(*fields))
    return {
        "next_seq": (session.max_seq + 1) if session.max_seq is not None else 0,
        "balloons": [{**b, "earnings": float(b["earnings"])} for b in balloons],
    }
