"""Writes of the games app: start a session, ingest event batches, complete, mark processed, abandon.

The ingestion path is built for throughput: a batch is validated by a compiled validator, written
in ONE `INSERT ... SELECT FROM unnest(...) ON CONFLICT (event_id) DO NOTHING RETURNING` statement,
and the balloon/session state is brought up to date with a fixed handful of queries per batch,
whatever its size. No per-event ORM save anywhere.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from games import consistency
from games.config import normalize_game_config
from games.event_schema import Rejection, split_batch
from games.models import Balloon, Event, GameSession
from games.schedule import draw_schedule, new_seed
from games.signals import session_completed
from pseudonymization.models import Participant
from research_platform.errors import ApplicationError

MAX_BATCH_EVENTS = 1000
MAX_BATCH_BYTES = 1024 * 1024

_OUTCOMES = {"pending": Balloon.Outcome.PENDING, "collected": Balloon.Outcome.CASHED, "popped": Balloon.Outcome.POPPED}


def _study_config() -> dict[str, Any]:
    study = getattr(connection, "tenant", None)
    return normalize_game_config(getattr(study, "game_config", None) or {})


def session_open_for(*, participant: Participant) -> GameSession | None:
    return (
        GameSession.objects.filter(participant=participant, status=GameSession.Status.IN_PROGRESS)
        .order_by("-started_at")
        .first()
    )


@transaction.atomic
def session_start(
    *, participant: Participant, client_info: dict[str, Any] | None = None, seed: str | None = None
) -> tuple[GameSession, bool]:
    """Start a session (schedule drawn here from a fresh recorded seed); return (session, created).

    A participant's open session is returned instead of a second one, so a reload or a second tab
    resumes the same game rather than restarting it.
    """
    Participant.objects.select_for_update().filter(pk=participant.pk).first()  # serialise double clicks
    existing = session_open_for(participant=participant)
    if existing is not None:
        return existing, False
    config = _study_config()
    seed = seed or new_seed()
    schedule = [b.as_dict() for b in draw_schedule(seed, config)]
    session = GameSession.objects.create(
        participant=participant, seed=seed, config=config, schedule=schedule, client_info=client_info or {}
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


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict() for r in self.rejected],
        }


def check_session_open(session: GameSession) -> None:
    if session.is_closed:
        raise ApplicationError(
            "session_closed",
            f"This session is {session.status}; no further events are accepted.",
            details={"status": session.status},
            status_code=409,
        )


def check_batch_size(events: Any) -> None:
    if not isinstance(events, list):
        raise ApplicationError("malformed_batch", "'events' must be a list of events.", status_code=400)
    if len(events) > MAX_BATCH_EVENTS:
        raise ApplicationError(
            "batch_too_large",
            f"A batch holds at most {MAX_BATCH_EVENTS} events; split it.",
            details={"max_events": MAX_BATCH_EVENTS, "received": len(events)},
            status_code=413,
        )


# The batch travels as one JSON document and PostgreSQL takes it apart (jsonb_array_elements):
# one parameter instead of twelve arrays, no per-event work in Python, and `raw` is the event as
# received. bench/profile_ingestion.py measured this at about twice the rows per second of the
# unnest-of-arrays form. Integers go through numeric because JSON Schema's "integer" admits 3.0.
_INSERT_SQL = """
INSERT INTO games_event (session_id, event_id, seq, type, t, client_ts, sent_at, received_at, skew_ms,
                         balloon, pumps, rt_ms, input_device, context_kind, data, raw, flags)
SELECT %s, (e->>'event_id')::uuid, (e->>'seq')::numeric::int, e->>'type', (e->>'t')::float8,
       (e->>'client_ts')::numeric::bigint, %s, %s, %s, (e->>'balloon')::numeric::int,
       coalesce(e->'data'->>'pump', e->'data'->>'pumps')::numeric::int, (e->'data'->>'rt_ms')::float8,
       coalesce(e->'data'->>'input', e->'data'->>'device', ''), coalesce(e->'data'->>'kind', ''),
       e->'data', e, '[]'::jsonb
FROM jsonb_array_elements(%s::jsonb) AS e
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id::text, seq, balloon, type
"""


def session_ingest_events(*, session: GameSession, events: Any, sent_at: int | None) -> BatchResult:
    """Validate and store one batch; every valid event is kept, every invalid one is reported."""
    return _ingest(lookup={"pk": session.pk}, read_batch=lambda: (events, sent_at))


def session_ingest_for_participant(
    *, participant: Participant, session_id: Any, read_batch: Callable[[], tuple[Any, int | None]]
) -> BatchResult:
    """As session_ingest_events, for the participant's own session only.

    The ownership check and the row lock are one query (this runs for every batch), and it comes
    first: someone else's session is a 404 whatever the body holds. ``read_batch`` parses and
    checks the body afterwards and returns (events, sent_at).
    """
    return _ingest(lookup={"pk": session_id, "participant": participant}, read_batch=read_batch)


def _ingest(*, lookup: dict[str, Any], read_batch: Callable[[], tuple[Any, int | None]]) -> BatchResult:
    with transaction.atomic():
        # The row lock serialises batches of one session, so counters and checks see a consistent state.
        session = GameSession.objects.select_for_update().filter(**lookup).first()
        if session is None:
            raise ApplicationError("not_found", "No such session.", status_code=404)
        events, sent_at = read_batch()
        check_batch_size(events)
        valid, rejected, repeats = split_batch(events)
        received_at = timezone.now()
        skew = int(received_at.timestamp() * 1000) - sent_at if sent_at is not None else None
        result = BatchResult(rejected=rejected, duplicates=repeats)
        check_session_open(session)
        inserted: list[tuple[Any, int, int | None, str]] = []
        if valid:
            with connection.cursor() as cursor:
                cursor.execute(_INSERT_SQL, [str(session.pk), sent_at, received_at, skew, json.dumps(valid)])
                inserted = cursor.fetchall()
        result.accepted = len(inserted)
        result.duplicates += len(valid) - len(inserted)
        if inserted or rejected:
            _update_state(
                session=session,
                inserted=inserted,
                rejected=len(rejected),
                received_at=received_at,
                skew=skew,
                first_events=valid,
            )
    return result


def _update_state(
    *,
    session: GameSession,
    inserted: list[tuple[Any, int, int | None, str]],
    rejected: int,
    received_at: Any,
    skew: int | None,
    first_events: list[dict[str, Any]],
) -> None:
    fields = ["rejected_count", "quality_flags"]
    session.rejected_count += rejected
    if inserted:
        _count_seqs(session=session, inserted=inserted)
        touched = {
            balloon
            for _, _, balloon, type_ in inserted
            if balloon is not None and type_ in consistency.ACTION_TYPES | {"balloon_start"}
        }
        if touched:
            _recheck_balloons(session=session, touched=touched)
        session.last_event_at = received_at
        if skew is not None:
            session.skew_ms_min = skew if session.skew_ms_min is None else min(session.skew_ms_min, skew)
        if not session.client_info:
            start = next((e for e in first_events if e["type"] == "session_start"), None)
            if start is not None:
                session.client_info = start["data"]
                fields.append("client_info")
        fields += ["event_count", "distinct_seqs", "max_seq", "last_event_at", "skew_ms_min"]
    session.quality_flags = _flags(session=session)
    # Not save(): counters moving with every batch are not lifecycle changes for the audit log
    # (status changes below go through save() and are audited). Plain SQL, as above.
    _store_counters(session, fields)


_JSON_FIELDS = {"quality_flags", "client_info"}


def _store_counters(session: GameSession, fields: list[str]) -> None:
    assignments = ", ".join(f"{name} = %s" + ("::jsonb" if name in _JSON_FIELDS else "") for name in fields)
    values = [json.dumps(getattr(session, n)) if n in _JSON_FIELDS else getattr(session, n) for n in fields]
    with connection.cursor() as cursor:  # the column names come from this module, never from input
        cursor.execute(f"UPDATE games_gamesession SET {assignments} WHERE id = %s", [*values, str(session.pk)])


def _count_seqs(*, session: GameSession, inserted: list[tuple[Any, int, int | None, str]]) -> None:
    """Update distinct/max seq incrementally: only the new seqs are looked up, through (session, seq)."""
    new_seqs = {seq for _, seq, _, _ in inserted}
    new_ids = [str(row[0]) for row in inserted]
    if session.event_count == 0 or (session.max_seq is not None and min(new_seqs) > session.max_seq):
        # In-order arrival, the common case: no stored event can carry one of these seqs, so the
        # look-up is skipped (one statement fewer per batch; bench/profile_ingestion.py).
        already = 0
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT seq) FROM games_event WHERE session_id = %s AND seq = ANY(%s) "
                "AND NOT (event_id = ANY(%s::uuid[]))",
                [str(session.pk), list(new_seqs), new_ids],
            )
            already = cursor.fetchone()[0]
    session.event_count += len(inserted)
    session.distinct_seqs += len(new_seqs) - already
    top = max(new_seqs)
    session.max_seq = top if session.max_seq is None else max(session.max_seq, top)


def _recheck_balloons(*, session: GameSession, touched: set[int]) -> None:
    """Re-run the schedule check on the touched balloons, in seq order, and store what changed."""
    # Plain SQL with ids and flags as text: this reads back every event of the touched balloons, and
    # the ORM's UUID and JSON conversions of those rows cost more than the check itself.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_id::text, seq, type, balloon, pumps, t, flags::text FROM games_event "
            "WHERE session_id = %s AND balloon = ANY(%s) AND type = ANY(%s) ORDER BY seq, id",
            [str(session.pk), list(touched), [*consistency.ACTION_TYPES, "balloon_start"]],
        )
        rows = cursor.fetchall()
    facts = [consistency.EventFacts(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    result = consistency.check_events(session.explosion_points(), facts)
    flags_of = result.event_flags
    changed = [
        (r[0], json.dumps(flags_of.get(r[0], [])))
        for r in rows
        if flags_of.get(r[0], []) != ([] if r[6] == "[]" else json.loads(r[6]))
    ]
    t_by_seq = {(r[3], r[1]): r[5] for r in rows}
    reward = Decimal(str(session.config.get("reward_per_pump", 0)))
    ids, pumps, outcomes, earnings, started, ended, violations = ([] for _ in range(7))
    codes_of: dict[int, Counter[str]] = {}
    for r in rows:
        if flags_of.get(r[0]):
            codes_of.setdefault(r[3], Counter()).update(flags_of[r[0]])
    for index, state in result.balloons.items():
        codes = codes_of.get(index, Counter())
        outcome = _OUTCOMES[state.outcome]
        ids.append(index)
        pumps.append(max(state.pumps, 0))
        outcomes.append(outcome)
        earnings.append(reward * state.pumps if outcome == Balloon.Outcome.CASHED else Decimal(0))
        started.append(t_by_seq.get((index, state.start_seq)))
        ended.append(t_by_seq.get((index, state.end_seq)))
        violations.append(json.dumps(dict(sorted(codes.items()))))
    with connection.cursor() as cursor:
        if changed:
            cursor.execute(
                "UPDATE games_event e SET flags = u.flags FROM unnest(%s::uuid[], %s::jsonb[]) AS u(event_id, flags) "
                "WHERE e.event_id = u.event_id",
                [[c[0] for c in changed], [c[1] for c in changed]],
            )
        cursor.execute(
            "UPDATE games_balloon b SET pumps = u.pumps, outcome = u.outcome, earnings = u.earnings, "
            "started_t = u.started_t, ended_t = u.ended_t, violations = u.violations "
            "FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::numeric[], %s::float8[], %s::float8[], "
            "%s::jsonb[]) AS u(idx, pumps, outcome, earnings, started_t, ended_t, violations) "
            "WHERE b.session_id = %s AND b.index = u.idx",
            [ids, pumps, outcomes, earnings, started, ended, violations, str(session.pk)],
        )


def _flags(*, session: GameSession, completed: bool = False) -> dict[str, Any]:
    violations: Counter[str] = Counter()
    with connection.cursor() as cursor:  # plain SQL: this runs for every batch (see _recheck_balloons)
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
    if completed and flags.get("seq_gaps"):
        seqs = Event.objects.filter(session=session).values_list("seq", flat=True)
        flags["seq_missing"] = consistency.missing_seqs(seqs)
    return flags


def session_complete(*, session: GameSession) -> GameSession:
    """Close the session (idempotent) and, once committed, announce it for metrics and traits."""
    with transaction.atomic():
        session = GameSession.objects.select_for_update().get(pk=session.pk)
        if session.status in (GameSession.Status.COMPLETED, GameSession.Status.PROCESSED, GameSession.Status.FLAGGED):
            return session  # a retried complete: nothing more to do, no second signal
        check_session_open(session)
        session.status = GameSession.Status.COMPLETED
        session.completed_at = timezone.now()
        session.quality_flags = _flags(session=session, completed=True)
        session.save(update_fields=["status", "completed_at", "quality_flags"])
        transaction.on_commit(lambda: session_completed.send(sender=GameSession, session=session))
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
