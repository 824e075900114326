"""Events are checked against the explosion schedule: what does not fit is flagged, never fixed."""

from __future__ import annotations

from games.consistency import (
    AFTER_BALLOON_END,
    CASH_OUT_PAST_EXPLOSION,
    COUNT_MISMATCH,
    POP_NOT_AT_EXPLOSION_POINT,
    PUMP_NOT_CONSECUTIVE,
    PUMP_PAST_EXPLOSION,
    UNKNOWN_BALLOON,
    EventFacts,
    check_balloon,
    check_events,
    missing_seqs,
    quality_flags,
    seq_gaps,
)


def facts(*rows: tuple[str, int | None]) -> list[EventFacts]:
    """Events of balloon 0 in seq order from (type, count) pairs."""
    return [EventFacts(event_id=f"e{i}", seq=i, type=t, balloon=0, count=c) for i, (t, c) in enumerate(rows)]


def test_a_clean_pop_and_a_clean_collect_raise_no_flag():
    popped = check_balloon(0, 2, facts(("balloon_start", None), ("pump", 1), ("pump", 2), ("pop", 2)))
    assert popped.event_flags == {}
    assert (popped.balloons[0].outcome, popped.balloons[0].pumps) == ("popped", 2)
    collected = check_balloon(0, 9, facts(("pump", 1), ("pump", 2), ("cash_out", 2)))
    assert collected.event_flags == {}
    assert (collected.balloons[0].outcome, collected.balloons[0].pumps) == ("collected", 2)


def test_a_pop_before_the_explosion_point_is_flagged():
    result = check_balloon(0, 5, facts(("pump", 1), ("pop", 1)))
    assert result.event_flags == {"e1": [POP_NOT_AT_EXPLOSION_POINT]}
    assert result.balloons[0].outcome == "popped"


def test_pumping_past_the_explosion_point_and_collecting_is_flagged():
    result = check_balloon(0, 1, facts(("pump", 1), ("pump", 2), ("cash_out", 2)))
    assert result.event_flags == {"e1": [PUMP_PAST_EXPLOSION], "e2": [CASH_OUT_PAST_EXPLOSION]}


def test_pumps_after_a_pop_or_a_collect_are_flagged():
    assert check_balloon(0, 1, facts(("pump", 1), ("pop", 1), ("pump", 2))).event_flags == {"e2": [AFTER_BALLOON_END]}
    result = check_balloon(0, 9, facts(("pump", 1), ("cash_out", 1), ("pump", 2), ("cash_out", 2)))
    assert result.event_flags == {"e2": [AFTER_BALLOON_END], "e3": [AFTER_BALLOON_END]}
    assert result.balloons[0].pumps == 1


def test_skipped_pump_counts_and_a_wrong_total_are_flagged():
    result = check_balloon(0, 9, facts(("pump", 1), ("pump", 3), ("cash_out", 4)))
    assert result.event_flags == {"e1": [PUMP_NOT_CONSECUTIVE], "e2": [COUNT_MISMATCH]}


def test_arrival_order_does_not_matter_because_events_are_checked_in_seq_order():
    events = facts(("pump", 1), ("pump", 2), ("cash_out", 2))
    assert check_balloon(0, 9, reversed(events)).event_flags == {}


def test_events_of_a_balloon_outside_the_schedule_are_flagged():
    events = [EventFacts("x", 0, "pump", 7, 1), EventFacts("y", 1, "pump", 0, 1)]
    result = check_events({0: 3}, events)
    assert result.event_flags == {"x": [UNKNOWN_BALLOON]}


def test_gaps_in_seq_are_counted_and_listed():
    assert seq_gaps(3, 4) == 2
    assert seq_gaps(0, None) == 0
    assert missing_seqs([0, 1, 4, 6]) == [2, 3, 5]


def test_quality_flags_only_name_problems():
    assert quality_flags(distinct_seqs=5, max_seq=4, repeated_seqs=0, violations={}, rejected=0) == {}
    flags = quality_flags(
        distinct_seqs=3,
        max_seq=4,
        repeated_seqs=1,
        violations={PUMP_PAST_EXPLOSION: 2, COUNT_MISMATCH: 0},
        rejected=1,
        completed=True,
        pending_balloons=2,
    )
    assert flags == {
        "seq_gaps": 2,
        "seq_repeated": 1,
        "schedule_violations": {PUMP_PAST_EXPLOSION: 2},
        "rejected_events": 1,
        "unfinished_balloons": 2,
    }
