"""Writes of the games app: start a session, ingest event batches, complete, mark processed, abandon.

The batch write path itself (three SQL statements a batch, no ORM) is games/ingestion.py.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_event
from core.errors import ApplicationError
from core.study import current_study
from flows.services import step_complete
from games import consistency
from games.config import GameConfigError, normalize_game_config
from games.confirmation import is_server_confirmed
from games.flow_step import FlowGameStep, game_config_for_step
from games.ingestion import BatchResult, check_open, ingest_for_session
from games.models import Balloon, Event, GameSession, GameSettings
from games.schedule import draw_schedule, new_seed
from games.selectors import game_config_current
from games.signals import session_completed
from games.tracking import FLAG as TRACKING_FLAG
from games.tracking import FinishedBalloon, schedule_tracking
from pseudonymization.models import Participant
from tenants.transactions import on_commit_in_this_schema


def game_config_clean(config: dict[str, Any] | None) -> dict[str, Any]:
    """``config`` with the defaults filled in, or ApplicationError("invalid_game_config") saying where it is wrong."""
    try:
        return normalize_game_config(config)
    except GameConfigError as exc:
        raise ApplicationError(
            "invalid_game_config", "The game configuration is not valid.", details=exc.errors
        ) from exc


@transaction.atomic
def game_settings_update(*, acting_user: Any, **changes: Any) -> GameSettings:
    """Set the current study's game settings (``config``: validated, stored complete), audited with the
    changed fields and the configuration's changed keys."""
    GameSettings.refuse_unknown(changes)
    study = current_study()
    if study is not None and study.status == study.Status.ARCHIVED:
        raise ApplicationError("study_archived", "An archived study cannot be changed.")
    before = game_config_current()
    if "config" in changes:
        changes = {**changes, "config": game_config_clean(changes["config"])}
    row, changed = GameSettings.apply(changes)
    keys = sorted(key for key in set(before) | set(row.config) if before.get(key) != row.config.get(key))
    audit_event(
        action="games.settings.update", obj=row, actor=acting_user, details={"changed": changed, "config_keys": keys}
    )
    return row


def session_open_for(*, participant: Participant) -> GameSession | None:
    return (
        GameSession.objects.filter(participant=participant, status=GameSession.Status.IN_PROGRESS)
        .order_by("-started_at")
        .first()
    )


@transaction.atomic
def session_start(
    *,
    participant: Participant,
    client_info: dict[str, Any] | None = None,
    seed: str | None = None,
    step: FlowGameStep | None = None,
) -> tuple[GameSession, bool]:
    """Start a session (schedule drawn here from a fresh recorded seed); return (session, created).

    A participant's open session is returned instead of a second one, so a reload or a second tab
    resumes the same game rather than restarting it.
    """
    Participant.objects.select_for_update().filter(pk=participant.pk).first()  # serialise double clicks
    existing = session_open_for(participant=participant)
    if existing is not None:
        return existing, False
    config = game_config_current()
    where: dict[str, Any] = {}
    if step is not None:
        config = game_config_for_step(config, step.settings)
        where = {
            "flow_version": step.version,
            "flow_session": step.session_number,
            "flow_step": step.step_key,
            "condition": step.condition,
        }
    seed = seed or new_seed()
    schedule = [b.as_dict() for b in draw_schedule(seed, config)]
    session = GameSession.objects.create(
        participant=participant, seed=seed, config=config, schedule=schedule, client_info=client_info or {}, **where
    )
    Balloon.objects.bulk_create(
        Balloon(
            session=session,
            index=b["index"],
            color=b["color"],
            max_pumps=b["max_pumps"],
            explosion_point=b["explosion_point"],
        )
        for b in schedule
    )
    return session, True


def check_session_open(session: GameSession) -> None:
    check_open(session.status)


def session_ingest_events(*, session: GameSession, events: Any, sent_at: int | None) -> BatchResult:
    """Validate and store one batch; every valid event is kept, every invalid one is reported.

    For internal callers (seeding, tests); participants' batches come through
    games.ingestion.ingest_for_token, which adds the participant gate. Same write path.
    """
    return ingest_for_session(session_id=session.pk, events=events, sent_at=sent_at)


def _flags(*, session: GameSession, completed: bool = True) -> dict[str, Any]:
    """The flags of a closing session: the batch path's flags plus unfinished balloons, missing seqs."""
    violations: Counter[str] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT violations::text FROM games_balloon WHERE session_id = %s AND violations <> '{}'::jsonb",
            [str(session.pk)],
        )
        for (counts,) in cursor.fetchall():
            violations.update(json.loads(counts))
    balloons = Balloon.objects.filter(session=session)
    pending = balloons.filter(outcome=Balloon.Outcome.PENDING).count() if completed else 0
    flags = consistency.quality_flags(
        distinct_seqs=session.distinct_seqs,
        max_seq=session.max_seq,
        repeated_seqs=session.event_count - session.distinct_seqs,
        violations=violations,
        rejected=session.rejected_count,
        completed=completed,
        pending_balloons=pending,
    )
    if completed:
        finished = balloons.exclude(outcome=Balloon.Outcome.PENDING).values_list(
            "color", "explosion_point", "pumps", "outcome"
        )
        tracking = schedule_tracking([FinishedBalloon(c, e, p, o == Balloon.Outcome.POPPED) for c, e, p, o in finished])
        if tracking is not None and tracking["flagged"]:
            flags[TRACKING_FLAG] = tracking
    if completed and flags.get("seq_gaps"):
        seqs = Event.objects.filter(session=session).values_list("seq", flat=True)
        flags["seq_missing"] = consistency.missing_seqs(seqs)
    return flags


def _reconcile_confirmed(session: GameSession) -> int:
    """Server mode: the server's own count is the truth for outcome and earnings; count the balloons
    whose events said otherwise (a script that pumped a balloon to its burst through the server and
    then sent a collect). The events stay as received; the session is flagged."""
    reward = Decimal(str(session.config.get("reward_per_pump", 0)))
    differing = 0
    for balloon in Balloon.objects.filter(session=session):
        confirmed = balloon.confirmed_outcome or Balloon.Outcome.PENDING
        if (balloon.outcome, balloon.pumps) == (confirmed, balloon.confirmed_pumps) or (
            confirmed == Balloon.Outcome.PENDING and balloon.outcome == Balloon.Outcome.PENDING
        ):
            continue
        differing += 1
        earnings = reward * balloon.confirmed_pumps if confirmed == Balloon.Outcome.CASHED else Decimal(0)
        Balloon.objects.filter(pk=balloon.pk).update(
            outcome=confirmed, pumps=balloon.confirmed_pumps, earnings=earnings
        )
    return differing


def session_complete(*, session: GameSession) -> GameSession:
    """Close the session (idempotent) and, once committed, announce it for metrics and traits."""
    with transaction.atomic():
        session = GameSession.objects.select_for_update().get(pk=session.pk)
        if session.status in (GameSession.Status.COMPLETED, GameSession.Status.PROCESSED, GameSession.Status.FLAGGED):
            return session  # a retried complete: nothing more to do, no second signal
        check_session_open(session)
        if not Balloon.objects.filter(session=session).exclude(outcome=Balloon.Outcome.PENDING).exists():
            # Each completion queues a fit and writes audit rows that can never be deleted: a session
            # in which no balloon was finished has nothing to fit (#18 finding 6).
            raise ApplicationError(
                "nothing_played",
                "No balloon of this session was finished; it cannot be completed yet.",
                status_code=409,
            )
        session.status = GameSession.Status.COMPLETED
        session.completed_at = timezone.now()
        unconfirmed = _reconcile_confirmed(session) if is_server_confirmed(session.config) else 0
        session.quality_flags = _flags(session=session, completed=True)
        if unconfirmed:
            session.quality_flags["unconfirmed_play"] = {"balloons": unconfirmed}
        session.save(update_fields=["status", "completed_at", "quality_flags"])
        if session.flow_step:
            # The flow moves on in the same transaction: a completed game is a completed step.
            step_complete(
                participant=session.participant,
                session_number=session.flow_session or 1,
                step_key=session.flow_step,
                kind="game",
                ref=str(session.pk),
            )
        on_commit_in_this_schema(lambda: session_completed.send(sender=GameSession, session=session))
    return session


@transaction.atomic
def session_mark_processed(*, session: GameSession, flagged: bool, reasons: list[str] | None = None) -> GameSession:
    """Called by traits at the end of its pipeline: processed, or flagged with reasons."""
    session = GameSession.objects.select_for_update().get(pk=session.pk)
    session.status = GameSession.Status.FLAGGED if flagged else GameSession.Status.PROCESSED
    session.processed_at = timezone.now()
    fields = ["status", "processed_at"]
    if flagged:
        session.quality_flags = {**session.quality_flags, "processing": list(reasons or [])}
        fields.append("quality_flags")
    session.save(update_fields=fields)
    return session


def sessions_abandon_stale(*, now: Any = None) -> int:
    """Sessions in progress without an event for GAME_ABANDON_AFTER_MINUTES become `abandoned`."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=getattr(settings, "GAME_ABANDON_AFTER_MINUTES", 120))
    stale = GameSession.objects.filter(status=GameSession.Status.IN_PROGRESS)
    stale = stale.filter(last_event_at__lt=cutoff) | stale.filter(last_event_at__isnull=True, started_at__lt=cutoff)
    return stale.update(status=GameSession.Status.ABANDONED, completed_at=now)
