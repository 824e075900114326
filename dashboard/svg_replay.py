"""The session replay timeline (pure: no Django): one row per balloon over session time, with pumps,
endings, away spans and context markers, and the tables of what it draws."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from dashboard.axes import EN_DASH, nice_axis, nice_step
from dashboard.svg_parts import WIDE_WIDTH, empty_chart, vertical_text
from traits.charts import PALETTE, Chart, Table, n_label, svg_shell, text, x_axis


@dataclass
class ReplayBalloon:
    index: int
    pump_times_ms: list[float] = field(default_factory=list)
    end_ms: float | None = None
    outcome: str = ""  # "cash_out", "pop" or "" when unfinished


OUTCOME_WORDS = {"cash_out": "cash-out", "pop": "pop", "": "unfinished"}


def _s(ms: float) -> str:
    return f"{ms / 1000:.1f}"


def replay_chart(
    balloons: Sequence[ReplayBalloon],
    hidden_periods: Sequence[tuple[float, float]],
    *,
    title: str,
    width: int = WIDE_WIDTH,
    markers: Sequence[tuple[float, str]] = (),
) -> Chart:
    """Balloon by balloon over session time: pump ticks, the ending (cash-out or pop), hidden-tab spans,
    and other context events as labelled triangles above the rows."""
    if not balloons:
        return empty_chart(title, width, 80, unit="balloons", size="wide")
    times = [t for b in balloons for t in b.pump_times_ms] + [b.end_ms for b in balloons if b.end_ms is not None]
    times += [end for _, end in hidden_periods] + [t for t, _ in markers]
    t_max = max(times or [1.0]) or 1.0
    # The axis ends on a tick at or after the last event, so the time labels share one format.
    axis = nice_axis(0.0, t_max / 1000, intervals=8)
    row_h, left, right, top = 14, 52, 16, 34
    rows_h = row_h * len(balloons)
    height = top + rows_h + 50
    span = width - left - right

    def x_of(t_ms: float) -> float:
        return left + span * axis.position(t_ms / 1000)

    # n at the top left: on a phone the chart scrolls sideways and its right part starts out of sight.
    body = [text(left, 16, n_label(len(balloons), "balloons"), cls="rp-n")]
    for t, label in markers:
        x = x_of(t)
        body.append(
            f'<path d="M{x - 5:.1f} {top - 12}h10l-5 8z" fill="#7d3c98"><title>{escape(label)} at '
            f"{_s(t)} s</title></path>"
        )
    body.append(vertical_text(13, top + rows_h / 2, "balloon"))
    for start, end in hidden_periods:
        body.append(
            f'<rect x="{x_of(start):.1f}" y="{top}" width="{max(x_of(end) - x_of(start), 1):.1f}" '
            f'height="{rows_h}" fill="{PALETTE["hidden"]}"><title>tab hidden '
            f"{_s(start)}-{_s(end)} s</title></rect>"
        )
    # Row labels on a 1-2-5 step too (1, 5, 10, … for 30 balloons): every row would be an unreadable column.
    label_every = max(1, round(nice_step(len(balloons) / 6)))
    labels = []
    for row, balloon in enumerate(balloons):
        y = top + row * row_h + row_h / 2
        number = balloon.index + 1
        if number == 1 or number % label_every == 0:
            labels.append(text(left - 8, y + 4.5, str(number), anchor="end", cls="rp-tick"))
        for t in balloon.pump_times_ms:
            body.append(
                f'<line x1="{x_of(t):.1f}" y1="{y - 4}" x2="{x_of(t):.1f}" y2="{y + 4}" '
                f'stroke="{PALETTE["pump"]}" stroke-width="1"/>'
            )
        if balloon.end_ms is not None and balloon.outcome:
            colour = PALETTE["pop"] if balloon.outcome == "pop" else PALETTE["cash"]
            label = f"balloon {number}: {balloon.outcome} after {len(balloon.pump_times_ms)} pumps"
            body.append(
                f'<circle cx="{x_of(balloon.end_ms):.1f}" cy="{y}" r="4" fill="{colour}">'
                f"<title>{escape(label)}</title></circle>"
            )
    body.append('<g class="rp-axis" data-axis="balloon">' + "".join(labels) + "</g>")
    axis_y = top + rows_h + 4
    body += x_axis(axis, left, width - right, axis_y, name="time")
    body.append(text(left + span / 2, axis_y + 40, "time since session start (s)", anchor="middle"))
    pops = sum(1 for b in balloons if b.outcome == "pop")
    desc = f"{len(balloons)} balloons over {t_max / 1000:.0f} s; {pops} popped; {len(hidden_periods)} hidden periods."
    tables = [
        Table(
            caption=f"Balloons of this session ({n_label(len(balloons), 'balloons')})",
            columns=("Balloon", "Pumps", "Outcome", "Ended at (s)"),
            rows=tuple(
                (
                    str(b.index + 1),
                    str(len(b.pump_times_ms)),
                    OUTCOME_WORDS.get(b.outcome, b.outcome),
                    _s(b.end_ms) if b.end_ms is not None else EN_DASH,
                )
                for b in balloons
            ),
        )
    ]
    if hidden_periods:
        tables.append(
            Table(
                caption="Tab hidden or window unfocused",
                columns=("From (s)", "To (s)", "Length (s)"),
                rows=tuple((_s(a), _s(b), _s(b - a)) for a, b in hidden_periods),
            )
        )
    if markers:
        tables.append(
            Table(
                caption="Other context events", columns=("At (s)", "Event"), rows=tuple((_s(t), m) for t, m in markers)
            )
        )
    return Chart(title, svg_shell(width, height, title, desc, body), tuple(tables), size="wide")


def replay_svg(
    balloons: Sequence[ReplayBalloon],
    hidden_periods: Sequence[tuple[float, float]],
    *,
    title: str,
    width: int = WIDE_WIDTH,
    markers: Sequence[tuple[float, str]] = (),
) -> str:
    return replay_chart(balloons, hidden_periods, title=title, width=width, markers=markers).svg
