"""The bipolar scale of the participant's results page and the dashboard's profiles, and the pure SVG
pieces and axis arithmetic every chart is drawn with (no Django, no JavaScript, no CDN).

Every text that reaches the markup is escaped; every chart has a <title> and <desc> so screen
readers announce what it shows, and comes with the table of the numbers it draws. Sizes are never
written into the markup as `style=` (the page CSP forbids inline styles): the SVG carries
presentation attributes only, and dashboard/static/dashboard/charts.css sizes it on the dashboard.
The dashboard's own charts (histograms, the funnel, the replay) and its automatic axes are in
dashboard/svg.py, svg_replay.py, svg_parts.py and axes.py, drawn with these pieces.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

MINUS = "\u2212"  # a true minus sign: as wide as "+", so signed labels line up
# Trait z scores are drawn on a fixed -3..+3: 99.7 % of a normal reference lies inside, and one
# degenerate session (a learning z of 20) must not squeeze everybody else into a single bar.
Z_LIMIT = 3.0
# Tolerance of every tick and bin-edge computation (shared, so bin edges fall on the axis' ticks).
EPS = 1e-9


def decimals_for(step: float) -> int:
    """How many decimals a label needs to show multiples of ``step`` exactly (0 for whole steps)."""
    for decimals in range(10):
        scaled = step * 10**decimals
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, abs(scaled)):
            return decimals
    return 10


def format_number(value: float, decimals: int, *, signed: bool = False) -> str:
    """``value`` with exactly ``decimals`` decimals; a true minus sign, and "+" when ``signed``."""
    text = f"{abs(value):.{decimals}f}"
    if float(text) == 0:  # no "-0" or "+0"
        return text
    if value < 0:
        return MINUS + text
    return "+" + text if signed else text


def z_label(value: float) -> str:
    """A whole z value with its sign ("+3", "−3")."""
    return format_number(value, 0, signed=True)


@dataclass(frozen=True)
class Axis:
    """A linear axis from ``low`` to ``high`` with ticks at the multiples of ``step`` in between."""

    low: float
    high: float
    step: float
    signed: bool = False

    @property
    def decimals(self) -> int:
        return decimals_for(self.step)

    @property
    def ticks(self) -> list[float]:
        first = math.ceil(self.low / self.step - EPS)
        last = math.floor(self.high / self.step + EPS)
        # Rounded to the step's decimals, so 3 * 0.1 is 0.3 and not 0.30000000000000004.
        return [round(i * self.step, self.decimals + 3) + 0.0 for i in range(first, last + 1)]

    def label(self, value: float) -> str:
        return format_number(value, self.decimals, signed=self.signed)

    def position(self, value: float) -> float:
        """0 at ``low``, 1 at ``high``."""
        return (value - self.low) / (self.high - self.low)


def clamp(value: float, low: float, high: float) -> tuple[float, int]:
    """``value`` held within [low, high], and -1 / 0 / +1 for below / inside / above."""
    if value < low:
        return low, -1
    if value > high:
        return high, 1
    return value, 0


PALETTE = {
    "bar": "#1f5fbf",
    "pop": "#c0392b",
    "cash": "#1e8449",
    "pump": "#5b6472",
    "hidden": "#f2d7a0",
    "axis": "#8a93a0",
    "grid": "#e3e6eb",
    "ink": "#1d2433",
    "muted": "#4a5262",
}
# Every text is drawn at FONT user units, and charts.css never lets a chart render narrower than its
# viewBox (min-width = CARD_WIDTH or dashboard WIDE_WIDTH px), so one user unit is at least one CSS px and the
# smallest text is 14 CSS px at any viewport (12 px is the floor the dashboard promises; 14 is near
# the page's own 16 px text without crowding a 320-unit chart).
FONT = 14
CARD_WIDTH = 320
FONT_FAMILY = "system-ui, sans-serif"


@dataclass(frozen=True)
class Table:
    """A data table behind a chart: the first column holds the row headers."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """What a template shows for one chart: a figure caption, the SVG, and the numbers it draws."""

    title: str
    svg: str
    tables: tuple[Table, ...] = ()
    size: str = "card"  # "card" or "wide": the charts.css class that sizes it


def svg_shell(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    # Ids unique per chart content, so several charts on one page keep their own labels.
    uid = "c" + hashlib.sha1(f"{title}|{desc}".encode(), usedforsecurity=False).hexdigest()[:10]
    # width/height attributes give the natural size if the stylesheet is missing; charts.css scales it.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="{width:g}" '
        f'height="{height:g}" class="rp-svg" role="img" aria-labelledby="{uid}t {uid}d" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT}">'
        f'<title id="{uid}t">{escape(title)}</title><desc id="{uid}d">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    fill: str = PALETTE["ink"],
    cls: str = "",
) -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>{escape(content)}</text>'


def x_axis(axis: Axis, x0: float, x1: float, y: float, *, name: str) -> list[str]:
    """A horizontal axis line with a labelled mark at each tick; the labels share one number format."""
    parts = [f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}" stroke="{PALETTE["axis"]}"/>']
    labels = []
    for tick in axis.ticks:
        x = x0 + (x1 - x0) * axis.position(tick)
        parts.append(f'<path d="M{x:.1f} {y:.1f}v5" stroke="{PALETTE["axis"]}"/>')
        labels.append(text(x, y + 19, axis.label(tick), anchor="middle", cls="rp-tick"))
    parts.append(f'<g class="rp-axis" data-axis="{escape(name)}">' + "".join(labels) + "</g>")
    return parts


def n_label(n: int, unit: str) -> str:
    """ "n = 42 sessions" ("n = 1 session" for one)."""
    singular = unit[:-1] if unit.endswith("s") else unit
    return f"n = {n} {singular if n == 1 else unit}"


def _edge_arrow(x: float, y: float, direction: int, colour: str) -> str:
    """A small arrowhead pointing off the scale: the value continues beyond the edge."""
    base = x + 7 * direction  # clear of the dot drawn at the edge
    tip = base + 9 * direction
    return f'<path d="M{base:.1f} {y - 6:.1f}L{tip:.1f} {y:.1f}L{base:.1f} {y + 6:.1f}z" fill="{colour}"/>'


def bipolar_chart(
    *,
    low_pole: str,
    high_pole: str,
    position: float | None,
    interval: tuple[float, float] | None,
    title: str,
    n: int | None = None,
    n_unit: str = "balloons",
    extra_rows: Sequence[tuple[str, str]] = (),
    width: int = CARD_WIDTH,
) -> Chart:
    """A position on a fixed -3..+3 scale (z units) between two poles; neither pole is better.

    A position or interval end beyond the scale is drawn at the edge with an arrow and said in words,
    so the scale is the same for every dimension and every participant.
    """
    left, right, axis_y, height = 18, 18, 42, 90
    axis = Axis(-Z_LIMIT, Z_LIMIT, 1.0, signed=True)
    span = width - left - right

    def x_of(z: float) -> float:
        return left + span * axis.position(clamp(z, -Z_LIMIT, Z_LIMIT)[0])

    body = [
        text(0, 16, low_pole, fill=PALETTE["muted"], cls="rp-pole"),
        text(width, 16, high_pole, anchor="end", fill=PALETTE["muted"], cls="rp-pole"),
        f'<path d="M{x_of(0):.1f} {axis_y - 9}V{axis_y + 9}" stroke="{PALETTE["axis"]}" stroke-width="2"/>',
    ]
    body += x_axis(axis, left, width - right, axis_y, name="z")
    notes: list[str] = []
    rows: list[tuple[str, str]] = []
    if position is None:
        body.append(text(width, height - 6, "insufficient data", anchor="end", fill=PALETTE["muted"]))
        desc = f"{title}: insufficient data."
        rows.append(("Position (z)", "insufficient data"))
    else:
        shown = format_number(position, 2, signed=True)
        rows.append(("Position (z)", shown))
        if interval is not None:
            lo_z, hi_z = sorted(interval)
            lo, hi = x_of(lo_z), x_of(hi_z)
            body.append(
                f'<rect x="{lo:.1f}" y="{axis_y - 6}" width="{max(hi - lo, 1):.1f}" height="12" '
                f'fill="{PALETTE["bar"]}" opacity="0.3"/>'
            )
            for end, x in ((lo_z, lo), (hi_z, hi)):
                side = clamp(end, -Z_LIMIT, Z_LIMIT)[1]
                if side:
                    body.append(_edge_arrow(x, axis_y, side, "#8fb0e3"))
            interval_text = f"{format_number(lo_z, 2, signed=True)} to {format_number(hi_z, 2, signed=True)}"
            rows.append(("95 % bootstrap interval (z)", interval_text))
        side = clamp(position, -Z_LIMIT, Z_LIMIT)[1]
        if side:
            body.append(_edge_arrow(x_of(position), axis_y, side, PALETTE["bar"]))
            notes.append(f"{shown} is beyond {z_label(side * Z_LIMIT)}")
        body.append(f'<circle cx="{x_of(position):.1f}" cy="{axis_y}" r="6" fill="{PALETTE["bar"]}" stroke="#fff"/>')
        desc = f"{title}: position {shown} between {low_pole} and {high_pole}"
        desc += f" ({notes[0]}, drawn at the edge)." if notes else "."
    if n is not None:
        body.append(text(0, height - 6, n_label(n, n_unit), cls="rp-n"))
        rows.append(("n", n_label(n, n_unit).removeprefix("n = ")))
    if notes:
        body.append(text(width, height - 6, notes[0], anchor="end", cls="rp-beyond"))
    rows += extra_rows
    table = Table(
        caption=f"{title}: {low_pole} ({MINUS}) to {high_pole} (+)", columns=("Quantity", "Value"), rows=tuple(rows)
    )
    return Chart(title, svg_shell(width, height, title, desc, body), (table,))


def bipolar_svg(**kwargs: Any) -> str:
    """The SVG alone (bipolar_chart's arguments)."""
    return bipolar_chart(**kwargs).svg
