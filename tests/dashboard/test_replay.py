"""The replay timeline is built from events in seq order: pumps, endings, away periods, markers."""

from __future__ import annotations

from dashboard.replay import replay_from_events


def ev(seq, type_, t, balloon=None, **data):
    return {"seq": seq, "type": type_, "t": t, "balloon": balloon, "data": data}


def test_pumps_and_endings_are_assigned_to_their_balloons():
    replay = replay_from_events(
        [
            ev(0, "session_start", 0),
            ev(1, "balloon_start", 10, 0),
            ev(2, "pump", 300, 0, pump=1),
            ev(3, "pump", 600, 0, pump=2),
            ev(4, "cash_out", 1200, 0, pumps=2),
            ev(5, "balloon_start", 1300, 1),
            ev(6, "pump", 1600, 1, pump=1),
            ev(7, "pop", 1630, 1, pumps=1),
        ]
    )
    assert [(b.index, b.pump_times_ms, b.outcome, b.end_ms) for b in replay.balloons] == [
        (0, [300.0, 600.0], "cash_out", 1200.0),
        (1, [1600.0], "pop", 1630.0),
    ]


def test_hidden_and_blurred_spans_become_away_periods_and_other_context_events_markers():
    replay = replay_from_events(
        [
            ev(0, "context", 100, kind="visibility", state="hidden"),
            ev(1, "context", 2600, kind="visibility", state="visible"),
            ev(2, "context", 3000, kind="blur"),
            ev(3, "context", 3500, kind="focus"),
            ev(4, "context", 4000, kind="resize", width=390, height=844),
            ev(5, "context", 5000, kind="visibility", state="hidden"),
        ]
    )
    assert replay.away == [(100.0, 2600.0), (3000.0, 3500.0), (5000.0, 5000.0)]
    assert replay.markers == [(4000.0, "resize height=844, width=390")]
