"""Consistency of received events with the session's explosion schedule (pure, no Django).

Nothing here changes an event: what does not fit the schedule is reported as flags, the events
themselves are stored as received (a "fixed" record would hide a client bug or tampering).
Checks run over the events of a balloon in `seq` order, so they can be re-run whenever a late
event arrives and the result depends only on what has been received, not on arrival order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CHECKER_VERSION = "bart-consistency/1.0.0"

# Per-event violation codes (documented in docs/event-schema.md).
UNKNOWN_BALLOON = "unknown_balloon"
AFTER_BALLOON_END = "after_balloon_end"
PUMP_NOT_CONSECUTIVE = "pump_not_consecutive"
PUMP_PAST_EXPLOSION = "pump_past_explosion"
POP_NOT_AT_EXPLOSION_POINT = "pop_not_at_explosion_point"
CASH_OUT_PAST_EXPLOSION = "cash_out_past_explosion"
COUNT_MISMATCH = "pump_count_mismatch"

TERMINAL_TYPES = frozenset({"cash_out", "pop"})
ACTION_TYPES = frozenset({"pump", "cash_out", "pop"})


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What the checker needs of one event; `count` is data.pump (pump) or data.pumps (cash_out, pop)."""

    event_id: str
    seq: int
    type: str
    balloon: int | None
    count: int | None = None


@dataclass(slots=True)
class BalloonOutcome:
    """A balloon as the received events describe it (counts include the fatal pump)."""

    index: int
    pumps: int = 0
    outcome: str = "pending"  # pending | collected | popped
    start_seq: int | None = None
    end_seq: int | None = None
    violations: int = 0


@dataclass(slots=True)
class CheckResult:
    event_flags: dict[str, list[str]] = field(default_factory=dict)
    balloons: dict[int, BalloonOutcome] = field(default_factory=dict)

    def flag(self, event: EventFacts, code: str) -> None:
        self.event_flags.setdefault(event.event_id, []).append(code)


def check_balloon(index: int, explosion_point: int | None, events: Iterable[EventFacts]) -> CheckResult:
    """Check one balloon's events (any order; sorted here by seq) against its explosion point."""
    result = CheckResult()
    state = BalloonOutcome(index=index)
    result.balloons[index] = state
    last_pump = 0
    for event in sorted(events, key=lambda e: e.seq):
        if explosion_point is None:
            result.flag(event, UNKNOWN_BALLOON)
            continue
        if event.type == "balloon_start":
            state.start_seq = event.seq if state.start_seq is None else state.start_seq
            continue
        if event.type not in ACTION_TYPES:
            continue
        if state.outcome != "pending":
            result.flag(event, AFTER_BALLOON_END)
            continue
        count = event.count if event.count is not None else -1
        if event.type == "pump":
            if count != last_pump + 1:
                result.flag(event, PUMP_NOT_CONSECUTIVE)
            if count > explosion_point:
                result.flag(event, PUMP_PAST_EXPLOSION)
            last_pump = max(last_pump, count)
            state.pumps = last_pump
            continue
        state.end_seq = event.seq
        if count != last_pump:
            result.flag(event, COUNT_MISMATCH)
        if event.type == "pop":
            state.outcome = "popped"
            if count != explosion_point:
                result.flag(event, POP_NOT_AT_EXPLOSION_POINT)
        else:
            state.outcome = "collected"
            if count >= explosion_point:
                result.flag(event, CASH_OUT_PAST_EXPLOSION)
        state.pumps = count if count >= 0 else last_pump
    state.violations = sum(len(v) for v in result.event_flags.values())
    return result


def check_events(schedule: Mapping[int, int], events: Iterable[EventFacts]) -> CheckResult:
    """Check every balloon that has events; `schedule` maps balloon index -> explosion point."""
    by_balloon: dict[int, list[EventFacts]] = {}
    for event in events:
        if event.balloon is not None and event.type in ACTION_TYPES | {"balloon_start"}:
            by_balloon.setdefault(event.balloon, []).append(event)
    result = CheckResult()
    for index, balloon_events in by_balloon.items():
        part = check_balloon(index, schedule.get(index), balloon_events)
        result.event_flags.update(part.event_flags)
        result.balloons.update(part.balloons)
    return result


def seq_gaps(count: int, max_seq: int | None) -> int:
    """How many seq numbers in 0..max_seq were never received, from a count of distinct seqs."""
    if max_seq is None:
        return 0
    return max(0, max_seq + 1 - count)


def missing_seqs(seqs: Iterable[int], limit: int = 50) -> list[int]:
    """The first `limit` seq numbers missing from 0..max(seqs)."""
    present = set(seqs)
    if not present:
        return []
    missing = []
    for seq in range(max(present) + 1):
        if seq not in present:
            missing.append(seq)
            if len(missing) >= limit:
                break
    return missing


def quality_flags(
    *,
    distinct_seqs: int,
    max_seq: int | None,
    repeated_seqs: int,
    violations: Mapping[str, int],
    rejected: int,
    completed: bool = False,
    pending_balloons: int = 0,
) -> dict[str, Any]:
    """The session's quality flags: only problems appear, an empty dict means nothing to report."""
    flags: dict[str, Any] = {}
    gaps = seq_gaps(distinct_seqs, max_seq)
    if gaps:
        flags["seq_gaps"] = gaps
    if repeated_seqs:
        flags["seq_repeated"] = repeated_seqs
    real = {code: n for code, n in violations.items() if n}
    if real:
        flags["schedule_violations"] = dict(sorted(real.items()))
    if rejected:
        flags["rejected_events"] = rejected
    if completed and pending_balloons:
        flags["unfinished_balloons"] = pending_balloons
    return flags
