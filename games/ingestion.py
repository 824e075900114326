"""The event-batch write path: the gate, the body parsed, the insert and the counters in three statements.

``ingest_for_token`` takes a participant's batch as it arrived (the body's bytes, unparsed) and
answers every refusal in the documented order; ``ingest_for_session`` takes events already in hand
(seeding, tests). A batch costs BEGIN, three statements and COMMIT, whatever its size:

1. **gate** (participants) or **lock** (internal callers): the token, its participant, the consent
   rule (``consent.selectors.active_consent_sql``) and the participant's own session, locked
   ``FOR UPDATE`` so batches of one session run one after another and see each other's counters.
   The token is looked up in this statement rather than cached: the lock must be taken anyway,
   and a revoked token or a withdrawal is seen by the very next batch, in every worker process.
2. **insert + read-back**: ``INSERT ... SELECT FROM jsonb_array_elements(...) ON CONFLICT
   (event_id) DO NOTHING RETURNING`` (dedup at write time), and in the same statement the stored
   events of the balloons the batch touches and the balloons' violation counts, which the
   schedule check (``games.consistency``, in Python) needs. It runs after the lock, so (READ
   COMMITTED) it sees every batch committed before this one.
3. **write-back**: changed event flags, the touched balloons and the session's counters and
   quality flags in one ``WITH ... UPDATE`` statement.

No ORM and no per-event work in Python besides validation. bench/profile_ingestion.py prints the
statements and their times; docs/performance.md has the figures.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from consent.selectors import active_consent_sql
from core.errors import ApplicationError
from core.parsers import TooDeep, UnsafeJSON, loads_bytes
from core.prepared import Prepared
from core.ratelimit import refuse_over_limit
from games import consistency
from games.event_schema import Rejection, split_batch
from games.models import Balloon, GameSession
from pseudonymization.models import Participant, ParticipantToken

MAX_BATCH_EVENTS = 1000
MAX_BATCH_BYTES = 1024 * 1024

_OUTCOMES = {"pending": Balloon.Outcome.PENDING, "collected": Balloon.Outcome.CASHED, "popped": Balloon.Outcome.POPPED}
_CHECKED_TYPES = [*sorted(consistency.ACTION_TYPES), "balloon_start"]
_SESSION_COLUMNS = (
    "s.id::text, s.status, s.event_count, s.distinct_seqs, s.max_seq, s.rejected_count, s.skew_ms_min, "
    "s.client_info = '{}'::jsonb, s.config->>'reward_per_pump', s.schedule::text"
)
_GATE = Prepared(
    "games_batch_gate",
    ("text", "timestamptz", "uuid"),
    f"""
WITH tok AS (
    SELECT t.participant_id, t.revoked_at, p.status, p.withdrawn_at, {active_consent_sql("p.id")} AS consented
    FROM {ParticipantToken._meta.db_table} t JOIN {Participant._meta.db_table} p ON p.id = t.participant_id
    WHERE t.token_hash = $1 AND t.expires_at > $2
), ses AS (
    SELECT {_SESSION_COLUMNS} FROM games_gamesession s
    WHERE s.id = $3 AND s.participant_id = (SELECT participant_id FROM tok)
    FOR UPDATE
)
SELECT tok.participant_id, tok.revoked_at, tok.status, tok.withdrawn_at, tok.consented, ses.*
FROM tok LEFT JOIN ses ON true""",
)
_LOCK = Prepared(
    "games_batch_lock", ("uuid",), f"SELECT {_SESSION_COLUMNS} FROM games_gamesession s WHERE s.id = $1 FOR UPDATE"
)

# The batch travels as one JSON document and PostgreSQL takes it apart: one parameter instead of a
# dozen arrays, and `raw` is the event as received. Integers go through numeric because JSON
# Schema's "integer" admits 3.0. The read-back parts run on the statement's snapshot, so `old`
# never holds this batch's rows (they come from RETURNING) and `already` counts the seqs that
# were stored before; part 2 is skipped ($8 false) when the batch arrives in order.
_INSERT = Prepared(
    "games_batch_insert",
    ("uuid", "bigint", "timestamptz", "bigint", "jsonb", "int[]", "text[]", "boolean"),
    """
WITH ins AS (
    INSERT INTO games_event (session_id, event_id, seq, type, t, client_ts, sent_at, received_at, skew_ms,
                             balloon, pumps, rt_ms, input_device, context_kind, data, raw, flags)
    SELECT $1, (e->>'event_id')::uuid, (e->>'seq')::numeric::int, e->>'type', (e->>'t')::float8,
           (e->>'client_ts')::numeric::bigint, $2, $3, $4,
           (e->>'balloon')::numeric::int, coalesce(e->'data'->>'pump', e->'data'->>'pumps')::numeric::int,
           (e->'data'->>'rt_ms')::float8, coalesce(e->'data'->>'input', e->'data'->>'device', ''),
           coalesce(e->'data'->>'kind', ''), e->'data', e, '[]'::jsonb
    FROM jsonb_array_elements($5) AS e
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id, event_id::text, seq, type, balloon, pumps, t, flags::text
)
SELECT 0, id, event_id, seq, type, balloon, pumps, t, flags FROM ins
UNION ALL
SELECT 1, id, event_id::text, seq, type, balloon, pumps, t, flags::text FROM games_event
WHERE session_id = $1 AND balloon = ANY($6) AND type = ANY($7)
UNION ALL
SELECT 2, NULL, NULL, count(DISTINCT seq)::int, NULL, NULL, NULL, NULL, NULL FROM games_event
WHERE $8 AND session_id = $1 AND seq IN (SELECT seq FROM ins)
UNION ALL
SELECT 3, NULL, NULL, index, NULL, NULL, NULL, NULL, violations::text FROM games_balloon
WHERE session_id = $1 AND violations <> '{}'::jsonb""",
)
_VIOLATIONS = Prepared(
    "games_batch_violations",
    ("uuid",),
    "SELECT index, violations::text FROM games_balloon WHERE session_id = $1 AND violations <> '{}'::jsonb",
)
# One shape for every batch (empty arrays update nothing; NULL keeps a column as it is), so it is
# prepared once: changed event flags, the touched balloons, the session's counters and flags.
_WRITE_BACK = Prepared(
    "games_batch_write_back",
    (
        "uuid",
        "uuid[]",
        "jsonb[]",
        "int[]",
        "int[]",
        "varchar[]",
        "numeric[]",
        "float8[]",
        "float8[]",
        "jsonb[]",
        "int",
        "jsonb",
        "jsonb",
        "int",
        "int",
        "int",
        "timestamptz",
        "bigint",
    ),
    """
WITH ef AS (
    UPDATE games_event e SET flags = u.flags FROM unnest($2, $3) AS u(event_id, flags)
    WHERE e.event_id = u.event_id
), eb AS (
    UPDATE games_balloon b SET pumps = u.pumps, outcome = u.outcome, earnings = u.earnings,
           started_t = u.started_t, ended_t = u.ended_t, violations = u.violations
    FROM unnest($4, $5, $6, $7, $8, $9, $10) AS u(idx, pumps, outcome, earnings, started_t, ended_t, violations)
    WHERE b.session_id = $1 AND b.index = u.idx
)
UPDATE games_gamesession SET rejected_count = $11, quality_flags = $12, client_info = coalesce($13, client_info),
       event_count = $14, distinct_seqs = $15, max_seq = $16, last_event_at = coalesce($17, last_event_at),
       skew_ms_min = $18
WHERE id = $1""",
)


class AuthenticationRefused(ApplicationError):
    """401: no such token here, expired, revoked (other than by withdrawal), or its person erased."""

    def __init__(self) -> None:
        super().__init__("authentication_failed", "Invalid, expired or revoked participant token.", status_code=401)


@dataclass(slots=True)
class SessionState:
    """The locked session row, as far as a batch needs it."""

    id: str
    status: str
    event_count: int
    distinct_seqs: int
    max_seq: int | None
    rejected_count: int
    skew_ms_min: int | None
    needs_client_info: bool
    reward_per_pump: str | None
    schedule_text: str

    def explosion_points(self) -> dict[int, int]:
        return {int(b["index"]): int(b["explosion_point"]) for b in orjson.loads(self.schedule_text)}


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


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_SHAPE = 'A batch is {"sent_at": ms, "events": [...]}.'


def parse_batch(*, content_type: str, body: bytes) -> tuple[list[Any], int | None]:
    """The body as (events, sent_at), with the refusals of the DRF parser and the batch shape (400/413/415)."""
    if content_type in _FORMS or not body:
        raise ApplicationError("malformed_batch", _SHAPE, status_code=400)  # what the DRF parsers gave
    if content_type != "application/json":
        raise ApplicationError(
            "unsupported_media_type", f'Unsupported media type "{content_type}" in request.', status_code=415
        )
    try:
        batch = loads_bytes(body, max_depth=settings.JSON_MAX_DEPTH)  # orjson, with core.parsers' safety rules
    except UnicodeDecodeError as exc:
        raise ApplicationError("malformed_request", "The body is not valid UTF-8.") from exc
    except TooDeep as exc:
        raise ApplicationError("malformed_request", f"The JSON body was refused: {exc.message}.") from exc
    except UnsafeJSON as exc:
        if exc.path:
            raise ApplicationError("invalid", "The request is not valid.", details={exc.path: [exc.message]}) from exc
        raise ApplicationError("malformed_request", f"The JSON body was refused: {exc.message}.") from exc
    except ValueError as exc:
        raise ApplicationError(
            "malformed_request", f"The JSON body could not be read: {exc.__class__.__name__}."
        ) from exc
    if not isinstance(batch, dict) or "events" not in batch:
        raise ApplicationError("malformed_batch", _SHAPE, status_code=400)
    check_batch_size(batch["events"])
    sent_at = batch.get("sent_at")
    if sent_at is not None and (isinstance(sent_at, bool) or not isinstance(sent_at, int) or sent_at < 0):
        raise ApplicationError(
            "malformed_batch", "'sent_at' must be wall-clock milliseconds (an integer).", status_code=400
        )
    return batch["events"], sent_at


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


def check_open(status: str) -> None:
    if status in GameSession.CLOSED_STATUSES:
        raise ApplicationError(
            "session_closed",
            f"This session is {status}; no further events are accepted.",
            details={"status": status},
            status_code=409,
        )


def _refusal(participant: tuple[Any, ...]) -> ApplicationError | None:
    """What the participant gate says of the token's row (the rules of token_lookup + HasActiveConsent)."""
    _, revoked_at, status, withdrawn_at, consented = participant
    if status == Participant.Status.ERASED:
        return AuthenticationRefused()
    # A token revoked by the participant's withdrawal still names them (409 below); any other is final.
    if revoked_at is not None and (
        status != Participant.Status.WITHDRAWN or withdrawn_at is None or revoked_at < withdrawn_at
    ):
        return AuthenticationRefused()
    if status == Participant.Status.WITHDRAWN:
        return ApplicationError("withdrawn", "You withdrew your consent; no further data is accepted.", status_code=409)
    if status != Participant.Status.ACTIVE or not consented:
        return ApplicationError(
            "consent_required", "Consent to the current consent document is required first.", status_code=403
        )
    return None


def _admit(*, participant_id: int, size: int) -> None:
    """After the gate, before the body is parsed: the size of the body (413), then the rate limit (429)."""
    if size > MAX_BATCH_BYTES:
        raise ApplicationError(
            "payload_too_large",
            f"A batch body holds at most {MAX_BATCH_BYTES} bytes.",
            details={"max_bytes": MAX_BATCH_BYTES},
            status_code=413,
        )
    limit = int(getattr(settings, "GAME_EVENTS_RATE", 120))
    if limit > 0:  # per participant, counted in the shared cache (Redis in production)
        refuse_over_limit(
            f"games:rate:{connection.schema_name}:{participant_id}",
            limit=limit,
            window=60,
            message=f"At most {limit} batches a minute; retry later.",
        )


def ingest_for_token(*, token_hash: str, session_id: Any, content_type: str, body: bytes) -> BatchResult:
    """One batch from the holder of a participant token, for their own session only.

    ``body`` is the request body as received: nothing in it is parsed before the token passed the
    gate, so refusals come in the order the API documents: 401 (token), 409/403 (withdrawn,
    consent), 413 (body size) and 429 (rate limit), 404 (not their session, whatever the body
    holds), then 400/413/415 (what the body holds) and 409 (session closed).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        _GATE.execute(cursor, [token_hash, timezone.now(), str(session_id)])
        row = cursor.fetchone()
        if row is None:
            raise AuthenticationRefused()
        refusal = _refusal(row[:5])
        if refusal is not None:
            raise refusal
        _admit(participant_id=row[0], size=len(body))
        if row[5] is None:
            raise ApplicationError("not_found", "No such session.", status_code=404)
        events, sent_at = parse_batch(content_type=content_type, body=body)
        return _ingest_locked(cursor, SessionState(*row[5:]), events, sent_at)


def ingest_for_session(*, session_id: Any, events: Any, sent_at: int | None) -> BatchResult:
    """One batch of events already in hand for a session named by id (seeding, tests): no participant gate."""
    with transaction.atomic(), connection.cursor() as cursor:
        _LOCK.execute(cursor, [str(session_id)])
        row = cursor.fetchone()
        if row is None:
            raise ApplicationError("not_found", "No such session.", status_code=404)
        check_batch_size(events)
        return _ingest_locked(cursor, SessionState(*row), events, sent_at)


def _ingest_locked(cursor: Any, session: SessionState, events: list[Any], sent_at: int | None) -> BatchResult:
    """Statements 2 and 3 for a batch whose size was checked (by parse_batch or ingest_for_session)."""
    valid, rejected, repeats = split_batch(events)
    received_at = timezone.now()
    skew = int(received_at.timestamp() * 1000) - sent_at if sent_at is not None else None
    result = BatchResult(rejected=rejected, duplicates=repeats)
    check_open(session.status)
    if not valid:
        if rejected:
            _VIOLATIONS.execute(cursor, [session.id])
            _write_back(cursor, session, _Change(rejected=len(rejected), stored_violations=cursor.fetchall()))
        return result
    balloons = sorted({e["balloon"] for e in valid if e["type"] in _CHECKED_TYPES and "balloon" in e})
    out_of_order = session.event_count > 0 and (
        session.max_seq is None or min(e["seq"] for e in valid) <= session.max_seq
    )
    _INSERT.execute(
        cursor,
        [session.id, sent_at, received_at, skew, orjson.dumps(valid).decode(), balloons, _CHECKED_TYPES, out_of_order],
    )
    rows = cursor.fetchall()
    inserted = [r[1:] for r in rows if r[0] == 0]
    result.accepted = len(inserted)
    result.duplicates += len(valid) - len(inserted)
    if inserted or rejected:
        change = _Change(
            rejected=len(rejected),
            inserted=inserted,
            old=[r[1:] for r in rows if r[0] == 1],
            already=next((r[3] for r in rows if r[0] == 2), 0),
            stored_violations=[(r[3], r[8]) for r in rows if r[0] == 3],
            received_at=received_at,
            skew=skew,
            client_info=next((e["data"] for e in valid if e["type"] == "session_start"), None),
        )
        _write_back(cursor, session, change)
    return result


@dataclass
class _Change:
    """What one batch changed; rows are (id, event_id, seq, type, balloon, pumps, t, flags)."""

    rejected: int = 0
    inserted: list[tuple[Any, ...]] = field(default_factory=list)
    old: list[tuple[Any, ...]] = field(default_factory=list)
    already: int = 0
    stored_violations: list[tuple[int, str]] = field(default_factory=list)
    received_at: Any = None
    skew: int | None = None
    client_info: dict[str, Any] | None = None


def _write_back(cursor: Any, session: SessionState, change: _Change) -> None:
    """Statement 3: event flags, balloons, the session's counters and flags, in one UPDATE."""
    rejected_count = session.rejected_count + change.rejected
    violations: dict[int, dict[str, int]] = {index: json.loads(v) for index, v in change.stored_violations}
    recheck = _Recheck()
    last_event_at = client_info = None
    if change.inserted:
        seqs = {r[2] for r in change.inserted}
        session.event_count += len(change.inserted)
        session.distinct_seqs += len(seqs) - change.already
        session.max_seq = max(seqs) if session.max_seq is None else max(session.max_seq, *seqs)
        last_event_at = change.received_at
        if change.skew is not None:
            session.skew_ms_min = change.skew if session.skew_ms_min is None else min(session.skew_ms_min, change.skew)
        if session.needs_client_info and change.client_info is not None:
            client_info = orjson.dumps(change.client_info).decode()
        touched = {r[4] for r in change.inserted if r[4] is not None and r[3] in _CHECKED_TYPES}
        if touched:
            recheck = _recheck(session, change, touched, violations)
    flags = consistency.quality_flags(
        distinct_seqs=session.distinct_seqs,
        max_seq=session.max_seq,
        repeated_seqs=session.event_count - session.distinct_seqs,
        violations=sum((Counter(v) for v in violations.values()), Counter()),
        rejected=rejected_count,
    )
    _WRITE_BACK.execute(
        cursor,
        [
            session.id,
            *recheck.params(),
            rejected_count,
            orjson.dumps(flags).decode(),
            client_info,
            session.event_count,
            session.distinct_seqs,
            session.max_seq,
            last_event_at,
            session.skew_ms_min,
        ],
    )


@dataclass
class _Recheck:
    """The rows statement 3 writes for the touched balloons (columns of games_event / games_balloon)."""

    event_ids: list[str] = field(default_factory=list)
    event_flags: list[str] = field(default_factory=list)
    balloons: list[list[Any]] = field(default_factory=lambda: [[] for _ in range(7)])

    def params(self) -> list[Any]:
        return [self.event_ids, self.event_flags, *self.balloons]


def _recheck(
    session: SessionState, change: _Change, touched: set[int], violations: dict[int, dict[str, int]]
) -> _Recheck:
    """Re-run the schedule check on the touched balloons (in seq order); ``violations`` is updated."""
    checked = (r for r in [*change.old, *change.inserted] if r[4] in touched and r[3] in _CHECKED_TYPES)
    rows = sorted(checked, key=lambda r: (r[2], r[0]))  # seq order; ties by arrival (id), as stored
    facts = [consistency.EventFacts(r[1], r[2], r[3], r[4], r[5]) for r in rows]
    points = session.explosion_points()
    result = consistency.check_events(points, facts)
    flags_of = result.event_flags
    out = _Recheck()
    for r in rows:
        flags = flags_of.get(r[1], [])
        if flags != orjson.loads(r[7]):
            out.event_ids.append(r[1])
            out.event_flags.append(orjson.dumps(flags).decode())
    t_by_seq = {(r[4], r[2]): r[6] for r in rows}
    reward = Decimal(str(session.reward_per_pump or 0))
    codes_of: dict[int, Counter[str]] = {}
    for r in rows:
        if flags_of.get(r[1]):
            codes_of.setdefault(r[4], Counter()).update(flags_of[r[1]])
    ids, pumps, outcomes, earnings, started, ended, counts = out.balloons
    for index, state in result.balloons.items():
        codes = dict(sorted(codes_of.get(index, Counter()).items()))
        if index in points:  # a balloon outside the schedule has no row to hold its counts
            violations[index] = codes
        outcome = _OUTCOMES[state.outcome]
        ids.append(index)
        pumps.append(max(state.pumps, 0))
        outcomes.append(str(outcome))
        earnings.append(reward * state.pumps if outcome == Balloon.Outcome.CASHED else Decimal(0))
        started.append(t_by_seq.get((index, state.start_seq)))
        ended.append(t_by_seq.get((index, state.end_seq)))
        counts.append(orjson.dumps(codes).decode())
    return out
