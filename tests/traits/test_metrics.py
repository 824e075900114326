"""Metrics against values computed by hand on a small session."""

from __future__ import annotations

import math
from typing import Any

import pytest

from traits.metrics import METRICS_VERSION, attention, compute_metrics, primary_color, trials_from_events

SCHEDULE = [
    {"index": 0, "color": "blue", "max_pumps": 128, "explosion_point": 5},
    {"index": 1, "color": "blue", "max_pumps": 128, "explosion_point": 100},
    {"index": 2, "color": "blue", "max_pumps": 128, "explosion_point": 3},
    {"index": 3, "color": "blue", "max_pumps": 128, "explosion_point": 50},
]


class Script:
    """Events with times chosen by the test, in seq order."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, type_: str, t: float, balloon: int | None = None, **data: Any) -> None:
        event = {
            "event_id": f"00000000-0000-4000-8000-{len(self.events):012d}",
            "seq": len(self.events),
            "type": type_,
            "t": t,
            "client_ts": 1_700_000_000_000 + int(t),
            "data": data,
        }
        if balloon is not None:
            event["balloon"] = balloon
        self.events.append(event)

    def balloon(self, index: int, start: float, pump_times: list[float], end: float | None, popped: bool) -> None:
        self.add("balloon_start", start, index, color="blue")
        for n, t in enumerate(pump_times, 1):
            self.add("pump", t, index, pump=n)
        if end is not None or popped:
            kind = "pop" if popped else "cash_out"
            self.add(kind, end if end is not None else pump_times[-1], index, pumps=len(pump_times))


def session() -> list[dict[str, Any]]:
    s = Script()
    s.add("session_start", 0)
    s.balloon(0, 100, [400, 500, 700], 1000, False)  # 3 pumps, collect; first 300, gaps 100 200, collect 300
    s.balloon(1, 2000, [2100 + 50 * i for i in range(10)], 3000, False)  # 10 pumps; first 100, gaps 50, collect 450
    s.balloon(2, 4000, [4500, 4800, 5000], None, True)  # pops at 3; first 500, gaps 300 200
    s.balloon(3, 6000, [6200 + 100 * i for i in range(6)], 7000, False)  # 6 pumps; first 200, gaps 100, collect 300
    s.add("session_end", 7500, reason="completed")
    return s.events


def test_pump_metrics_match_the_hand_computation():
    m = compute_metrics(SCHEDULE, session(), reward_per_pump=0.05, block_size=2)
    o = m["overall"]
    assert m["version"] == METRICS_VERSION
    assert o["adjusted_pumps"] == pytest.approx(19 / 3)
    assert o["unadjusted_pumps"] == pytest.approx(5.5)
    assert (o["explosions"], o["explosion_rate"]) == (1, 0.25)
    assert o["total_earnings"] == pytest.approx(0.95)
    # next after the pop: 6; next after collects: 10 and 3 → 6.5
    assert o["post_loss"]["value"] == pytest.approx(-0.5)
    assert [b["adjusted_pumps"] for b in o["block_trend"]["blocks"]] == [6.5, 6.0]
    assert o["block_trend"]["slope"] == pytest.approx(-0.5)
    sd = math.sqrt(((3 - 19 / 3) ** 2 + (10 - 19 / 3) ** 2 + (6 - 19 / 3) ** 2) / 2)
    assert o["consistency_cv"] == pytest.approx(sd / (19 / 3))
    assert m["by_color"]["blue"]["adjusted_pumps"] == o["adjusted_pumps"]


def test_latencies_are_medians_and_iqrs_of_the_monotonic_clock():
    lat = compute_metrics(SCHEDULE, session())["overall"]["latency"]
    assert lat["first_pump_ms"] == {"n": 4, "median": 250.0, "iqr": 175.0}
    # 100 200 300 500 → q25 = 175, q75 = 350 (linear interpolation, numpy default)
    # gaps: 100 200 | 50 x9 | 300 200 | 100 x5 → 18 values, median 50+? sorted: 50x9, 100x6, 200x2, 300
    gaps = sorted([100, 200] + [50] * 9 + [300, 200] + [100] * 5)
    assert lat["inter_pump_ms"]["n"] == len(gaps) == 18
    assert lat["inter_pump_ms"]["median"] == 75.0  # between the 9th (50) and 10th (100)
    assert lat["last_pump_to_collect_ms"]["median"] == 300.0  # 300, 450, 300; the popped balloon has none


def test_colours_are_measured_separately():
    schedule = [dict(b, color="blue" if b["index"] % 2 == 0 else "orange") for b in SCHEDULE]
    m = compute_metrics(schedule, session())
    assert m["by_color"]["blue"]["adjusted_pumps"] == 3.0  # balloon 0 collected, balloon 2 popped
    assert m["by_color"]["orange"]["adjusted_pumps"] == 8.0  # 10 and 6
    assert m["by_color"]["orange"]["explosions"] == 0


def test_unfinished_balloons_are_left_out_and_counted():
    events = [e for e in session() if not (e.get("balloon") == 3 and e["type"] == "cash_out")]
    m = compute_metrics(SCHEDULE, events)
    assert m["n_unfinished"] == 1
    assert m["overall"]["n_balloons"] == 3


def test_events_after_a_balloon_ended_are_ignored():
    events = session()
    events.append({"event_id": "x", "seq": 99, "type": "pump", "t": 9000.0, "balloon": 0, "data": {"pump": 4}})
    assert trials_from_events(SCHEDULE, events)[0].pumps == 3


def test_empty_session_gives_none_not_errors():
    m = compute_metrics(SCHEDULE, [])
    assert m["overall"]["adjusted_pumps"] is None
    assert m["overall"]["post_loss"]["value"] is None
    assert m["overall"]["block_trend"]["slope"] is None


def test_attention_counts_hidden_and_blurred_periods():
    s = Script()
    s.add("context", 1000, kind="visibility", state="hidden")
    s.add("context", 1200, kind="visibility", state="hidden")  # still hidden: not a new period
    s.add("context", 1500, kind="visibility", state="visible")
    s.add("context", 2000, kind="blur")
    s.add("context", 2600, kind="focus")
    s.add("context", 5000, kind="visibility", state="hidden")
    s.add("session_end", 5200, reason="completed")
    assert attention(s.events) == {"hidden_count": 2, "hidden_ms": 700.0, "blurred_count": 1, "blurred_ms": 600.0}


def test_same_input_gives_identical_output():
    assert compute_metrics(SCHEDULE, session()) == compute_metrics(SCHEDULE, session())


def test_models_use_the_largest_balloon():
    schedule = [{"index": 0, "color": "orange", "max_pumps": 8}, {"index": 1, "color": "blue", "max_pumps": 128}]
    assert primary_color(schedule) == "blue"
