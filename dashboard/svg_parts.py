"""The pieces every dashboard chart is drawn with (pure: no Django): the SVG shell, escaped text, axes,
and the Chart / Table a template renders (the chart, its n and the data table behind it).

Sizes are never written into the markup as `style=` (the page CSP forbids inline styles): the SVG
carries presentation attributes only, and dashboard/static/dashboard/charts.css sizes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape

from dashboard.axes import Axis

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
# viewBox (min-width = CARD_WIDTH or WIDE_WIDTH px), so one user unit is at least one CSS px and the
# smallest text is 14 CSS px at any viewport (12 px is the floor the dashboard promises; 14 is near
# the page's own 16 px text without crowding a 320-unit chart).
FONT = 14
CARD_WIDTH = 320
WIDE_WIDTH = 760
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


def vertical_text(x: float, y: float, content: str) -> str:
    """A label turned 90° (a y-axis title), centred on (x, y)."""
    return (
        f'<text transform="translate({x:.1f} {y:.1f}) rotate(-90)" text-anchor="middle" '
        f'fill="{PALETTE["ink"]}">{escape(content)}</text>'
    )


def empty_chart(title: str, width: float, height: float, *, unit: str, size: str = "card") -> Chart:
    """A chart with nothing to draw still says so, and its n (0); it has no table (no numbers)."""
    body = [
        text(0, 16, n_label(0, unit), cls="rp-n"),
        text(width / 2, height / 2 + 8, "No data yet", anchor="middle", fill=PALETTE["muted"]),
    ]
    return Chart(title, svg_shell(width, height, title, "No data yet.", body), size=size)


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


def y_count_axis(axis: Axis, x0: float, x1: float, y_top: float, y_bottom: float, *, name: str) -> list[str]:
    """A count axis on the left: light grid lines across the plot and whole-number labels."""
    parts = [f'<path d="M{x0:.1f} {y_top:.1f}V{y_bottom:.1f}" stroke="{PALETTE["axis"]}" fill="none"/>']
    labels = []
    for tick in axis.ticks:
        y = y_bottom - (y_bottom - y_top) * axis.position(tick)
        if tick > axis.low:
            parts.append(f'<path d="M{x0:.1f} {y:.1f}H{x1:.1f}" stroke="{PALETTE["grid"]}" fill="none"/>')
        labels.append(text(x0 - 6, y + 4.5, axis.label(tick), anchor="end", cls="rp-tick"))
    parts.append(f'<g class="rp-axis" data-axis="{escape(name)}">' + "".join(labels) + "</g>")
    return parts


def n_label(n: int, unit: str) -> str:
    """ "n = 42 sessions" ("n = 1 session" for one)."""
    singular = unit[:-1] if unit.endswith("s") else unit
    return f"n = {n} {singular if n == 1 else unit}"
