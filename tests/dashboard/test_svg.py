"""Server-side charts: valid SVG, escaped text, honest empty states."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dashboard.svg import ReplayBalloon, bipolar_svg, funnel_svg, histogram_svg, replay_svg

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def test_a_histogram_has_one_bar_per_bin_and_counts_every_value():
    root = parse(histogram_svg([1, 2, 2, 3, 3, 3, 10], title="Adjusted pumps", x_label="pumps", bins=3))
    bars = root.findall(f"{NS}rect")
    assert len(bars) == 3
    counts = [int(bar.find(f"{NS}title").text.rsplit(": ", 1)[1]) for bar in bars]
    assert sum(counts) == 7


def test_an_empty_histogram_says_so():
    assert "No data yet" in histogram_svg([], title="t", x_label="x")
    assert "No data yet" in histogram_svg([float("nan")], title="t", x_label="x")


def test_text_is_escaped():
    svg = funnel_svg([("<script>alert(1)</script>", 3)], title="A & B")
    assert "<script>" not in svg
    parse(svg)


def test_the_funnel_lists_each_stage_in_its_description():
    root = parse(funnel_svg([("consented", 10), ("completed", 7)], title="Funnel"))
    assert root.find(f"{NS}desc").text == "consented: 10; completed: 7"


def test_a_bipolar_scale_marks_insufficient_data():
    svg = bipolar_svg(low_pole="cautious", high_pole="risk-seeking", position=None, interval=None, title="Risk")
    assert "insufficient data" in svg
    root = parse(bipolar_svg(low_pole="a", high_pole="b", position=1.2, interval=(0.5, 1.9), title="Risk"))
    assert root.find(f"{NS}circle") is not None


def test_the_replay_shows_pumps_endings_and_hidden_periods():
    balloons = [
        ReplayBalloon(0, [100, 400, 700], 1000, "cash_out"),
        ReplayBalloon(1, [1500, 1800], 1800, "pop"),
    ]
    root = parse(replay_svg(balloons, [(1100, 1400)], title="Replay"))
    assert len(root.findall(f"{NS}line")) == 5 + 1  # 5 pump ticks + the axis
    endings = [c.find(f"{NS}title").text for c in root.findall(f"{NS}circle")]
    assert endings == ["balloon 1: cash_out after 3 pumps", "balloon 2: pop after 2 pumps"]
    assert "1 hidden periods" in root.find(f"{NS}desc").text
