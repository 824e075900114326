"""Server-side SVG charts for the researcher dashboard (pure: no Django, no JavaScript, no CDN).

Every text that reaches the markup is escaped; every chart has a <title> and <desc> so screen
readers announce what it shows, states its n, and comes with the table of the numbers it draws.
Ticks and bins come from dashboard/axes.py; the replay timeline is in svg_replay.py; the bipolar
scale of a trait, the number formats and the pieces every chart is drawn with are traits/charts.py's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from dashboard.axes import EN_DASH, bin_values, count_axis
from dashboard.svg_parts import empty_chart, vertical_text, y_count_axis
from dashboard.svg_replay import ReplayBalloon, replay_chart, replay_svg
from traits.charts import CARD_WIDTH, PALETTE, Z_LIMIT, Chart, Table, n_label, svg_shell, text, x_axis, z_label

__all__ = [
    "ReplayBalloon",
    "funnel_chart",
    "funnel_svg",
    "histogram_chart",
    "histogram_svg",
    "replay_chart",
    "replay_svg",
]


POLE_CHAR_PX = 8.0  # a generous average advance of the 14-px chart text (charts.css)


def histogram_chart(
    values: Sequence[float | None],
    *,
    title: str,
    x_label: str,
    bins: int = 12,
    y_label: str = "sessions",
    discrete: bool = False,
    z_scores: bool = False,
    poles: tuple[str, str] | None = None,
    width: int = CARD_WIDTH,
    height: int | None = None,
) -> Chart:
    """Counts per bin. ``bins`` is a maximum: widths are 1-2-5 steps, so there may be fewer.

    ``z_scores`` fixes the axis at -Z_LIMIT..+Z_LIMIT and counts the values beyond it at its edges;
    ``poles`` names the ends of that axis (neither is better); ``discrete`` is for whole numbers.
    """
    # Pole names that cannot share one line under the axis (each 14-px character about 8 px wide) get
    # a line each: the low one at the left, the high one below it at the right.
    poles_apart = bool(poles) and (len(poles[0]) + len(poles[1]) + 6) * POLE_CHAR_PX > width - 62
    height = height or (254 + (18 if poles_apart else 0) if poles else 236)
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return empty_chart(title, width, height, unit=y_label)
    binned = bin_values(
        finite,
        max_bins=bins,
        fixed=(-Z_LIMIT, Z_LIMIT) if z_scores else None,
        discrete=discrete,
        signed=z_scores,
    )
    left, right = 46, 16
    bottom = (82 if poles_apart else 64) if poles else 46  # the poles get a line (or two) under the axis title
    top = 48 if z_scores else 30
    plot_w, plot_h = width - left - right, height - top - bottom
    axis_y = top + plot_h
    counts = count_axis(binned.peak)
    x_axis_ = binned.axis

    def x_of(value: float) -> float:
        return left + plot_w * x_axis_.position(value)

    body = [text(0, 16, n_label(binned.n, y_label), cls="rp-n")]
    if z_scores:
        # Beyond the fixed range: counted in words at the edge they passed, never drawn as stretched bars.
        if binned.below:
            body.append(text(left, 36, f"◂ {binned.below} beyond {z_label(-Z_LIMIT)}", cls="rp-beyond"))
        if binned.above:
            body.append(
                text(width - right, 36, f"{binned.above} beyond {z_label(Z_LIMIT)} ▸", anchor="end", cls="rp-beyond")
            )
    body += y_count_axis(counts, left, left + plot_w, top, axis_y, name="y")
    offset = 0.5 if binned.discrete else 0.0  # whole-number bins are centred on their values
    for i, b in enumerate(binned.bins):
        x0 = x_of(b.low - offset)
        x1 = x_of((b.low + binned.width if binned.discrete else b.high) - offset)
        h = plot_h * b.count / counts.high
        label = f"{binned.bin_label(i)}: {b.count}"
        body.append(
            f'<rect x="{x0 + 1:.1f}" y="{axis_y - h:.1f}" width="{max(x1 - x0 - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="{PALETTE["bar"]}"><title>{escape(label)}</title></rect>'
        )
    body += x_axis(x_axis_, left, left + plot_w, axis_y, name="x")
    body.append(text(left + plot_w / 2, axis_y + 40, x_label, anchor="middle"))
    if poles:
        low_y = height - 24 if poles_apart else height - 6
        body.append(text(left, low_y, f"← {poles[0]}", fill=PALETTE["muted"]))
        body.append(text(width - right, height - 6, f"{poles[1]} →", anchor="end", fill=PALETTE["muted"]))
    body.append(vertical_text(13, top + plot_h / 2, y_label))

    last = binned.bins[-1]
    lo = x_axis_.label(binned.bins[0].low)
    hi = x_axis_.label(last.low + binned.width - 1 if binned.discrete else last.high)  # the last value counted
    desc = f"Histogram of {binned.n} values of {x_label}: {len(binned.bins)} bins from {lo} to {hi}"
    if z_scores:
        desc += (
            f"; {binned.below} below {z_label(-Z_LIMIT)} and {binned.above} beyond {z_label(Z_LIMIT)}, counted apart"
        )
    desc += f"; the fullest bin holds {binned.peak}."
    rows = [(binned.bin_label(i), str(b.count)) for i, b in enumerate(binned.bins)]
    if z_scores:
        rows = [
            (f"below {z_label(-Z_LIMIT)}", str(binned.below)),
            *rows,
            (f"beyond {z_label(Z_LIMIT)}", str(binned.above)),
        ]
    table = Table(
        caption=f"{title}: {y_label} per bin ({n_label(binned.n, y_label)})",
        columns=(f"{x_label} (bin)", y_label.capitalize()),
        rows=tuple(rows),
    )
    return Chart(title, svg_shell(width, height, title, desc, body), (table,))


def histogram_svg(values: Sequence[float | None], **kwargs: Any) -> str:
    """The SVG alone (histogram_chart's arguments)."""
    return histogram_chart(values, **kwargs).svg


def funnel_chart(stages: Sequence[tuple[str, int]], *, title: str, width: int = CARD_WIDTH) -> Chart:
    """Participants at each stage, as bars with their counts written at the end."""
    if not stages:
        return empty_chart(title, width, 80, unit="participants")
    row_h, first_y, label_w, right = 30, 26, 86, 46
    height = first_y + row_h * len(stages) + 4
    total = stages[0][1]
    peak = max(count for _, count in stages) or 1
    body = [text(0, 16, n_label(total, "participants"), cls="rp-n")]
    for i, (label, count) in enumerate(stages):
        y = first_y + i * row_h
        w = (width - label_w - right) * count / peak
        body.append(text(0, y + 19, label))
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{PALETTE["bar"]}"/>')
        body.append(text(label_w + w + 6, y + 19, str(count), cls="rp-value"))
    desc = "; ".join(f"{label}: {count}" for label, count in stages)

    def share(count: int) -> str:
        return f"{100 * count / total:.0f} %" if total else EN_DASH

    table = Table(
        caption=f"{title} ({n_label(total, 'participants')})",
        columns=("Stage", "Participants", f"Share of {stages[0][0]}"),
        rows=tuple((label, str(count), share(count)) for label, count in stages),
    )
    return Chart(title, svg_shell(width, height, title, desc, body), (table,))


def funnel_svg(stages: Sequence[tuple[str, int]], *, title: str, width: int = CARD_WIDTH) -> str:
    return funnel_chart(stages, title=title, width=width).svg
