"""Server-side SVG charts for the researcher dashboard (pure: no Django, no JavaScript, no CDN).

Every text that reaches the markup is escaped; every chart has a <title> and <desc> so screen
readers announce what it shows.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = {"bar": "#1f5fbf", "pop": "#c0392b", "cash": "#1e8449", "pump": "#5b6472", "hidden": "#f2d7a0"}


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    # Ids unique per chart content, so several charts on one page keep their own labels.
    uid = "c" + hashlib.sha1(f"{title}|{desc}".encode(), usedforsecurity=False).hexdigest()[:10]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{uid}t {uid}d" style="max-width:{width}px">'
        f'<title id="{uid}t">{escape(title)}</title><desc id="{uid}d">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", fill: str = "#1d2433") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-family="system-ui, sans-serif">{escape(text)}</text>'
    )


def _empty(title: str, width: int, height: int) -> str:
    return _svg(width, height, title, "No data yet.", [_text(width / 2, height / 2, "No data yet", anchor="middle")])


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}"


def histogram_svg(
    values: Sequence[float],
    *,
    title: str,
    x_label: str,
    bins: int = 12,
    width: int = 380,
    height: int = 210,
    y_label: str = "sessions",
) -> str:
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return _empty(title, width, height)
    low, high = min(finite), max(finite)
    if high == low:
        low, high = low - 0.5, high + 0.5
    bins = max(1, min(bins, len(finite)))
    step = (high - low) / bins
    counts = [0] * bins
    for v in finite:
        counts[min(bins - 1, int((v - low) / step))] += 1
    left, right, top, bottom = 44, 10, 24, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts)
    body = [_text(left, 14, title, size=12)]
    bar_w = plot_w / bins
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        x, y = left + i * bar_w, top + plot_h - h
        label = f"{_fmt(low + i * step)} to {_fmt(low + (i + 1) * step)}: {count}"
        body.append(
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="{PALETTE["bar"]}"><title>{escape(label)}</title></rect>'
        )
    axis_y = top + plot_h
    body.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" stroke="#8a93a0"/>')
    body.append(f'<path d="M{left} {top}V{axis_y}" stroke="#8a93a0" fill="none"/>')
    body.append(_text(left, axis_y + 14, _fmt(low), size=10))
    body.append(_text(left + plot_w / 2, axis_y + 14, _fmt((low + high) / 2), size=10, anchor="middle"))
    body.append(_text(left + plot_w, axis_y + 14, _fmt(high), size=10, anchor="end"))
    body.append(_text(left + plot_w / 2, height - 6, x_label, size=11, anchor="middle"))
    body.append(_text(left - 4, top + 8, str(peak), size=10, anchor="end"))
    body.append(_text(left - 4, axis_y, "0", size=10, anchor="end"))
    body.append(
        f'<text transform="translate(12 {top + plot_h / 2:.1f}) rotate(-90)" font-size="11" text-anchor="middle" '
        f'fill="#1d2433" font-family="system-ui, sans-serif">{escape(y_label)}</text>'
    )
    desc = f"Histogram of {len(finite)} values of {x_label} from {_fmt(low)} to {_fmt(high)}."
    return _svg(width, height, title, desc, body)


def funnel_svg(stages: Sequence[tuple[str, int]], *, title: str, width: int = 380, height: int | None = None) -> str:
    if not stages:
        return _empty(title, width, 80)
    row_h = 30
    height = height or 30 + row_h * len(stages)
    label_w, right = 92, 40
    peak = max((count for _, count in stages), default=0) or 1
    body = [_text(0, 15, title, size=13)]
    for i, (label, count) in enumerate(stages):
        y = 26 + i * row_h
        w = (width - label_w - right) * count / peak
        body.append(_text(0, y + 17, label, size=13))
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{PALETTE["bar"]}"/>')
        body.append(_text(label_w + w + 6, y + 17, str(count), size=13))
    desc = "; ".join(f"{label}: {count}" for label, count in stages)
    return _svg(width, height, title, desc, body)


def bipolar_svg(
    *,
    low_pole: str,
    high_pole: str,
    position: float | None,
    interval: tuple[float, float] | None,
    title: str,
    width: int = 380,
    height: int = 58,
) -> str:
    """A position on a scale from -3 to +3 (z units) between two poles; neither pole is better."""
    left, right, axis_y = 10, 10, 34
    span = width - left - right

    def x_of(z: float) -> float:
        return left + span * (max(-3.0, min(3.0, z)) + 3.0) / 6.0

    body = [
        _text(left, 12, low_pole, size=11),
        _text(width - right, 12, high_pole, size=11, anchor="end"),
        f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#8a93a0" stroke-width="2"/>',
        f'<line x1="{x_of(0):.1f}" y1="{axis_y - 6}" x2="{x_of(0):.1f}" y2="{axis_y + 6}" stroke="#8a93a0"/>',
    ]
    if position is None:
        body.append(_text(width / 2, axis_y + 18, "insufficient data", size=11, anchor="middle", fill="#5b6472"))
        desc = f"{title}: insufficient data."
    else:
        if interval is not None:
            lo, hi = x_of(interval[0]), x_of(interval[1])
            body.append(
                f'<rect x="{lo:.1f}" y="{axis_y - 5}" width="{max(hi - lo, 1):.1f}" height="10" '
                f'fill="{PALETTE["bar"]}" opacity="0.25"/>'
            )
        body.append(f'<circle cx="{x_of(position):.1f}" cy="{axis_y}" r="6" fill="{PALETTE["bar"]}"/>')
        desc = f"{title}: position {position:+.2f} between {low_pole} and {high_pole}."
    return _svg(width, height, title, desc, body)


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw`` (readable axis ticks)."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


@dataclass
class ReplayBalloon:
    index: int
    pump_times_ms: list[float] = field(default_factory=list)
    end_ms: float | None = None
    outcome: str = ""  # "cash_out", "pop" or "" when unfinished


def replay_svg(
    balloons: Sequence[ReplayBalloon],
    hidden_periods: Sequence[tuple[float, float]],
    *,
    title: str,
    width: int = 760,
    markers: Sequence[tuple[float, str]] = (),
) -> str:
    """Balloon by balloon over session time: pump ticks, the ending (cash-out or pop), hidden-tab spans,
    and other context events as labelled triangles above the rows."""
    if not balloons:
        return _empty(title, width, 80)
    times = [t for b in balloons for t in b.pump_times_ms] + [b.end_ms for b in balloons if b.end_ms is not None]
    times += [end for _, end in hidden_periods] + [t for t, _ in markers]
    t_max = max(times or [1.0]) or 1.0
    row_h, left, right, top = 14, 56, 12, 34
    height = top + row_h * len(balloons) + 40
    span = width - left - right

    def x_of(t: float) -> float:
        return left + span * t / t_max

    body = [_text(0, 14, title, size=12)]
    for t, label in markers:
        x = x_of(t)
        body.append(
            f'<path d="M{x - 4:.1f} {top - 10}h8l-4 7z" fill="#7d3c98"><title>{escape(label)} at '
            f"{t / 1000:.1f} s</title></path>"
        )
    body.append(
        f'<text transform="translate(12 {top + row_h * len(balloons) / 2:.1f}) rotate(-90)" font-size="11" '
        f'text-anchor="middle" fill="#1d2433" font-family="system-ui, sans-serif">balloon</text>'
    )
    for start, end in hidden_periods:
        body.append(
            f'<rect x="{x_of(start):.1f}" y="{top}" width="{max(x_of(end) - x_of(start), 1):.1f}" '
            f'height="{row_h * len(balloons)}" fill="{PALETTE["hidden"]}"><title>tab hidden '
            f"{start / 1000:.1f}-{end / 1000:.1f} s</title></rect>"
        )
    for row, balloon in enumerate(balloons):
        y = top + row * row_h + row_h / 2
        body.append(_text(left - 6, y + 4, f"#{balloon.index + 1}", size=9, anchor="end"))
        for t in balloon.pump_times_ms:
            body.append(
                f'<line x1="{x_of(t):.1f}" y1="{y - 4}" x2="{x_of(t):.1f}" y2="{y + 4}" '
                f'stroke="{PALETTE["pump"]}" stroke-width="1"/>'
            )
        if balloon.end_ms is not None and balloon.outcome:
            colour = PALETTE["pop"] if balloon.outcome == "pop" else PALETTE["cash"]
            label = f"balloon {balloon.index + 1}: {balloon.outcome} after {len(balloon.pump_times_ms)} pumps"
            body.append(
                f'<circle cx="{x_of(balloon.end_ms):.1f}" cy="{y}" r="4" fill="{colour}">'
                f"<title>{escape(label)}</title></circle>"
            )
    axis_y = top + row_h * len(balloons) + 4
    body.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#8a93a0"/>')
    step_s = _nice_step(t_max / 1000 / 6)
    tick = 0.0
    while tick * 1000 <= t_max + 1e-9:
        x = x_of(tick * 1000)
        body.append(f'<path d="M{x:.1f} {axis_y}v4" stroke="#8a93a0"/>')
        body.append(_text(x, axis_y + 15, f"{tick:g}", size=10, anchor="middle"))
        tick += step_s
    body.append(_text(left + span / 2, axis_y + 32, "time since session start (s)", size=11, anchor="middle"))
    pops = sum(1 for b in balloons if b.outcome == "pop")
    desc = f"{len(balloons)} balloons over {t_max / 1000:.0f} s; {pops} popped; {len(hidden_periods)} hidden periods."
    return _svg(width, height, title, desc, body)
