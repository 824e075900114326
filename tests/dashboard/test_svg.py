"""Server-side charts: valid SVG, escaped text, honest empty states."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from dashboard.svg import (
    ReplayBalloon,
    funnel_chart,
    funnel_svg,
    histogram_chart,
    histogram_svg,
    replay_chart,
    replay_svg,
)
from traits.charts import MINUS, bipolar_svg

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def test_a_histogram_has_one_bar_per_bin_and_counts_every_value():
    # `bins` is a maximum: bin widths are 1-2-5 steps (here 5), so 1..10 takes two bins, not three.
    chart = histogram_chart([1, 2, 2, 3, 3, 3, 10], title="Adjusted pumps", x_label="pumps", bins=3)
    bars = parse(chart.svg).findall(f"{NS}rect")
    assert [bar.find(f"{NS}title").text for bar in bars] == ["[0, 5): 6", "[5, 10]: 1"]
    (table,) = chart.tables
    assert table.rows == (("[0, 5)", "6"), ("[5, 10]", "1"))
    assert sum(int(count) for _, count in table.rows) == 7


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


def tick_labels(root: ET.Element) -> dict[str, list[str]]:
    return {g.get("data-axis"): [t.text for t in g.findall(f"{NS}text")] for g in root.iter(f"{NS}g")}


def test_one_outlier_does_not_stretch_a_z_score_axis_it_is_counted_at_the_edge():
    chart = histogram_chart(
        [0.1, -0.4, 1.2, 20.0, 7.5, -3.2],
        title="Learning",
        x_label="z score",
        z_scores=True,
        y_label="participants",
        poles=("fixed", "adaptive"),
    )
    root = parse(chart.svg)
    assert tick_labels(root)["x"] == [f"{MINUS}3", f"{MINUS}2", f"{MINUS}1", "0", "+1", "+2", "+3"]
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "2 beyond +3 ▸" in texts and f"◂ 1 beyond {MINUS}3" in texts
    assert "n = 6 participants" in texts and "← fixed" in texts and "adaptive →" in texts
    rows = chart.tables[0].rows
    assert rows[0] == (f"below {MINUS}3", "1") and rows[-1] == ("beyond +3", "2")
    assert sum(int(count) for _, count in rows) == 6


def test_tick_labels_of_each_axis_share_one_number_format_and_counts_are_whole():
    svg = histogram_svg([8.38, 12.0, 20.5, 33.1, 40.0, 45.2, 49.0], title="t", x_label="adjusted average pumps")
    axes = tick_labels(parse(svg))
    assert axes["x"] == ["0", "10", "20", "30", "40", "50"]
    assert all(re.fullmatch(r"\d+", label) for label in axes["y"])
    fine = tick_labels(parse(histogram_svg([0.12, 0.15, 0.31, 0.44], title="t", x_label="x")))["x"]
    assert len({len(label.split(".")[1]) for label in fine}) == 1, fine  # 0.0, 0.1, ... not 0 / 0.25 / 0.5


def test_whole_number_histograms_label_whole_numbers():
    axes = tick_labels(parse(histogram_svg([3, 4, 4, 5, 9], title="t", x_label="balloons popped", discrete=True)))
    assert all(re.fullmatch(r"\d+", label) for label in axes["x"] + axes["y"])


def test_charts_carry_no_style_attribute_and_no_text_smaller_than_12_user_units():
    # charts.css never renders a chart narrower than its viewBox, so a user unit is at least a CSS px.
    charts = [
        histogram_svg([1.0, 2.0], title="t", x_label="x"),
        histogram_svg([0.5, 9.0], title="t", x_label="z score", z_scores=True),
        funnel_svg([("consented", 3)], title="f"),
        bipolar_svg(low_pole="a", high_pole="b", position=5.0, interval=(2.0, 8.0), title="r"),
        replay_svg([ReplayBalloon(0, [100.0], 900.0, "pop")], [], title="r"),
    ]
    for svg in charts:
        assert "style" not in svg
        root = parse(svg)
        assert float(root.get("font-size")) >= 12
        assert all(t.get("font-size") is None for t in root.iter(f"{NS}text"))  # all inherit the root's


def test_the_funnel_states_its_n_and_tables_each_stage_with_its_share():
    chart = funnel_chart([("consented", 8), ("completed", 6)], title="Funnel")
    assert "n = 8 participants" in chart.svg
    assert chart.tables[0].rows == (("consented", "8", "100 %"), ("completed", "6", "75 %"))


def test_replay_time_ticks_share_one_format_and_every_balloon_is_in_its_table():
    balloons = [ReplayBalloon(0, [100, 400, 700], 1000, "cash_out"), ReplayBalloon(1, [1500, 1800], 1800, "pop")]
    chart = replay_chart(balloons, [(1100, 1400)], title="Replay")
    times = tick_labels(parse(chart.svg))["time"]
    assert times == ["0.0", "0.5", "1.0", "1.5", "2.0"]  # not 0 / 0.5 / 1
    assert chart.tables[0].rows == (("1", "3", "cash-out", "1.0"), ("2", "2", "pop", "1.8"))
    assert chart.tables[1].rows == (("1.1", "1.4", "0.3"),)


def test_long_pole_names_get_a_line_each_instead_of_running_into_each_other() -> None:
    import re

    from dashboard.svg import histogram_chart

    def pole_lines(poles: tuple[str, str]) -> set[str]:
        chart = histogram_chart([0.1, -0.4, 0.8], title="t", x_label="z score", z_scores=True, poles=poles)
        return set(re.findall(r'<text x="[\d.]+" y="([\d.]+)"[^>]*>(?:← |[^<]* →)', chart.svg))

    assert len(pole_lines(("fixed", "adaptive"))) == 1  # short names share one line
    assert len(pole_lines(("more cautious after a loss", "more daring after a loss"))) == 2
