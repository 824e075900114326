"""The pieces only the dashboard's charts are drawn with (pure: no Django): the wide size, a turned
label, the empty state and the count axis. The SVG shell, escaped text, the x axis and the Chart /
Table a template renders (the chart, its n and the data table behind it) are traits/charts.py's.

Sizes are never written into the markup as `style=` (the page CSP forbids inline styles): the SVG
carries presentation attributes only, and dashboard/static/dashboard/charts.css sizes it.
"""

from __future__ import annotations

from html import escape

from traits.charts import PALETTE, Axis, Chart, n_label, svg_shell, text

# Wide charts (the replay): charts.css never renders one narrower than this many px (see traits.charts.FONT).
WIDE_WIDTH = 760


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
