"""The charts the participant's results page and the dashboard share: the bipolar scale of a trait
(valid SVG, said in words beyond its fixed range) and the number format of every axis."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from traits.charts import MINUS, bipolar_chart, bipolar_svg, decimals_for, format_number

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def tick_labels(root: ET.Element) -> dict[str, list[str]]:
    return {g.get("data-axis"): [t.text for t in g.findall(f"{NS}text")] for g in root.iter(f"{NS}g")}


@pytest.mark.parametrize(
    ("step", "decimals"), [(1, 0), (5, 0), (20, 0), (0.5, 1), (0.2, 1), (0.1, 1), (0.05, 2), (0.002, 3), (2.5, 1)]
)
def test_labels_need_as_many_decimals_as_the_step_has(step, decimals):
    assert decimals_for(step) == decimals


def test_numbers_are_written_with_a_true_minus_and_an_optional_plus_and_never_a_signed_zero():
    assert format_number(-2, 0) == f"{MINUS}2"
    assert format_number(2, 0, signed=True) == "+2"
    assert format_number(2, 0) == "2"
    assert format_number(0.5, 2) == "0.50"
    assert format_number(-0.0001, 1, signed=True) == "0.0"


def test_a_bipolar_scale_marks_insufficient_data():
    svg = bipolar_svg(low_pole="cautious", high_pole="risk-seeking", position=None, interval=None, title="Risk")
    assert "insufficient data" in svg
    root = parse(bipolar_svg(low_pole="a", high_pole="b", position=1.2, interval=(0.5, 1.9), title="Risk"))
    assert root.find(f"{NS}circle") is not None


def test_a_bipolar_position_beyond_the_scale_is_drawn_at_the_edge_and_said_in_words():
    chart = bipolar_chart(
        low_pole="fixed", high_pole="adaptive", position=4.2, interval=(2.5, 6.0), title="Learning", n=30
    )
    root = parse(chart.svg)
    (dot,) = root.findall(f"{NS}circle")
    assert float(dot.get("cx")) == 320 - 18  # the +3 end of the scale
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "+4.20 is beyond +3" in texts and "n = 30 balloons" in texts
    assert tick_labels(root)["z"] == [f"{MINUS}3", f"{MINUS}2", f"{MINUS}1", "0", "+1", "+2", "+3"]
    assert ("95 % bootstrap interval (z)", "+2.50 to +6.00") in chart.tables[0].rows
    assert "beyond +3, drawn at the edge" in root.find(f"{NS}desc").text
