"""Summary metrics of one Balloon-game session, from its schedule and its ordered bart-events/1 events.

Pure module (no Django). Definitions follow docs/metrics.md (Lejuez et al. 2002; post-loss
adjustment after Robles 2015); every value is computed per colour and over all balloons, and the
result carries METRICS_VERSION so a stored value can always be traced to the formula that made it.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

METRICS_VERSION = "bart-metrics/1.0.0"


@dataclass(slots=True)
class Trial:
    """One finished balloon: pumps include the fatal pump of a popped balloon (hBayesDM convention)."""

    index: int
    color: str
    max_pumps: int
    pumps: int
    exploded: bool
    start_t: float | None = None
    pump_ts: list[float] = field(default_factory=list)
    end_t: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "color": self.color,
            "max_pumps": self.max_pumps,
            "pumps": self.pumps,
            "explosion": int(self.exploded),
        }


def trials_from_events(schedule: Sequence[dict[str, Any]], events: Iterable[dict[str, Any]]) -> list[Trial]:
    """Finished balloons in play order. A balloon with neither a collect nor a pop is left out.

    The first collect/pop of a balloon ends it; later events of that balloon are ignored (the
    consistency checker has flagged them already). Pump counts come from the closing event's
    `pumps`, which the schema makes required, not from counting pump events that may be missing.
    """
    by_index = {int(b["index"]): b for b in schedule}
    open_: dict[int, Trial] = {}
    done: dict[int, Trial] = {}
    for event in events:
        index = event.get("balloon")
        if index is None or index not in by_index or index in done:
            continue
        planned = by_index[index]
        trial = open_.setdefault(index, Trial(index, str(planned["color"]), int(planned["max_pumps"]), 0, False))
        kind, t, data = event["type"], float(event["t"]), event.get("data") or {}
        if kind == "balloon_start":
            trial.start_t = t
        elif kind == "pump":
            trial.pump_ts.append(t)
        elif kind in ("cash_out", "pop"):
            trial.pumps = int(data.get("pumps", len(trial.pump_ts)))
            trial.exploded = kind == "pop"
            trial.end_t = t
            done[index] = open_.pop(index)
    return sorted(done.values(), key=lambda tr: tr.index)


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default, R type 7)."""
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _summary(values: Sequence[float]) -> dict[str, float | int | None]:
    """Median and IQR (q75 − q25) with the count, or Nones when empty."""
    if not values:
        return {"n": 0, "median": None, "iqr": None}
    s = sorted(values)
    return {"n": len(s), "median": _quantile(s, 0.5), "iqr": _quantile(s, 0.75) - _quantile(s, 0.25)}


def ols_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of ys on xs; None with fewer than two distinct x."""
    if len(xs) < 2 or len(set(xs)) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    assert mx is not None and my is not None
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def post_loss_adjustment(trials: Sequence[Trial]) -> dict[str, float | int | None]:
    """mean(p[i+1] after a pop) − mean(p[i+1] after a collect), over consecutive balloons given."""
    after_loss = [float(b.pumps) for a, b in itertools.pairwise(trials) if a.exploded]
    after_win = [float(b.pumps) for a, b in itertools.pairwise(trials) if not a.exploded]
    m_loss, m_win = _mean(after_loss), _mean(after_win)
    value = m_loss - m_win if m_loss is not None and m_win is not None else None
    return {
        "value": value,
        "after_loss_mean": m_loss,
        "after_win_mean": m_win,
        "n_after_loss": len(after_loss),
        "n_after_win": len(after_win),
    }


def block_trend(trials: Sequence[Trial], block_size: int) -> dict[str, Any]:
    """Adjusted pumps per block of `block_size` balloons (in the order given) and the slope over blocks.

    Blocks are numbered 1, 2, …; a block without an unexploded balloon has no mean and is left out
    of the slope (a slope needs at least two blocks with a mean).
    """
    blocks: list[dict[str, Any]] = []
    for start in range(0, len(trials), block_size):
        chunk = trials[start : start + block_size]
        kept = [float(t.pumps) for t in chunk if not t.exploded]
        blocks.append({"block": start // block_size + 1, "n": len(chunk), "adjusted_pumps": _mean(kept)})
    points = [(float(b["block"]), b["adjusted_pumps"]) for b in blocks if b["adjusted_pumps"] is not None]
    slope = ols_slope([x for x, _ in points], [y for _, y in points])
    return {"blocks": blocks, "slope": slope}


def latencies(trials: Sequence[Trial]) -> dict[str, Any]:
    """Time before the first pump, inter-pump interval and last pump → collect, in ms of `t`.

    `t` is the client's monotonic clock, so intervals are free of wall-clock jumps. Each latency is
    summarised by median and IQR over all its occurrences in the session.
    """
    first, inter, to_collect = [], [], []
    for trial in trials:
        if trial.start_t is not None and trial.pump_ts:
            first.append(trial.pump_ts[0] - trial.start_t)
        inter.extend(b - a for a, b in itertools.pairwise(trial.pump_ts))
        if not trial.exploded and trial.pump_ts and trial.end_t is not None:
            to_collect.append(trial.end_t - trial.pump_ts[-1])
    return {
        "first_pump_ms": _summary(first),
        "inter_pump_ms": _summary(inter),
        "last_pump_to_collect_ms": _summary(to_collect),
    }


def pump_metrics(trials: Sequence[Trial], *, reward_per_pump: float, block_size: int) -> dict[str, Any]:
    """Every pump-based metric of docs/metrics.md for the balloons given (one colour, or all)."""
    n = len(trials)
    kept = [float(t.pumps) for t in trials if not t.exploded]
    explosions = sum(1 for t in trials if t.exploded)
    adjusted = _mean(kept)
    sd = statistics.stdev(kept) if len(kept) >= 2 else None
    return {
        "n_balloons": n,
        "n_collected": len(kept),
        "adjusted_pumps": adjusted,
        "unadjusted_pumps": _mean([float(t.pumps) for t in trials]),
        "explosions": explosions,
        "explosion_rate": explosions / n if n else None,
        # Cents are summed as integer pumps first, so the total has a single rounding.
        "total_earnings": reward_per_pump * sum(t.pumps for t in trials if not t.exploded),
        "post_loss": post_loss_adjustment(trials),
        "block_trend": block_trend(trials, block_size),
        "pumps_sd": sd,
        "consistency_cv": sd / adjusted if sd is not None and adjusted else None,
        "latency": latencies(trials),
    }


def attention(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Count and total duration (ms of `t`) of hidden-tab and blurred-window periods during play.

    A period opens at `visibility: hidden` (or `blur`) and closes at the next `visible` (`focus`);
    one still open at the end closes at the last event's time. Repeated "hidden" events while
    already hidden do not open a new period.
    """
    periods = {"hidden": [0, 0.0, None], "blurred": [0, 0.0, None]}  # count, total ms, opened at
    last_t = 0.0
    for event in events:
        last_t = max(last_t, float(event["t"]))
        if event["type"] != "context":
            continue
        data = event.get("data") or {}
        kind = data.get("kind")
        if kind == "visibility":
            name, opening = "hidden", data.get("state") == "hidden"
        elif kind in ("blur", "focus"):
            name, opening = "blurred", kind == "blur"
        else:
            continue
        state = periods[name]
        if opening and state[2] is None:
            state[0] += 1
            state[2] = float(event["t"])
        elif not opening and state[2] is not None:
            state[1] += float(event["t"]) - state[2]
            state[2] = None
    for state in periods.values():
        if state[2] is not None:
            state[1] += last_t - state[2]
    return {f"{name}_{what}": value for name, s in periods.items() for what, value in (("count", s[0]), ("ms", s[1]))}


def compute_metrics(
    schedule: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    *,
    reward_per_pump: float = 0.05,
    block_size: int = 10,
) -> dict[str, Any]:
    """All metrics of a session: over all balloons, per colour, attention, and the balloon table.

    `events` must be in `seq` order (games.selectors.session_events returns them so). Per colour,
    post-loss adjustment and blocks use that colour's balloons in play order.
    """
    trials = trials_from_events(schedule, events)
    colors = sorted({str(b["color"]) for b in schedule})
    kwargs = {"reward_per_pump": reward_per_pump, "block_size": block_size}
    return {
        "version": METRICS_VERSION,
        "n_scheduled": len(schedule),
        "n_unfinished": len(schedule) - len(trials),
        "overall": pump_metrics(trials, **kwargs),
        "by_color": {c: pump_metrics([t for t in trials if t.color == c], **kwargs) for c in colors},
        "attention": attention(events),
        "trials": [t.as_dict() for t in trials],
    }


def primary_color(schedule: Sequence[dict[str, Any]]) -> str | None:
    """The colour the traits use: the largest capacity (the standard 128-pump balloon)."""
    if not schedule:
        return None
    return str(max(schedule, key=lambda b: (int(b["max_pumps"]), str(b["color"])))["color"])
