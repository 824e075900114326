"""The indicators behind the trait dimensions, as weighted statistics of one session (pure, no Django).

Every indicator is written once, as a function of a session and a (resamples × units) array of
weights: with weights of 1 it is the session's value, with block-bootstrap draw counts it is the
resampled values, with one row per simulated session it is the replays' values (traits/mapping.py
uses all three). Formulas and sources: docs/traits.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from traits.facts import PER_BLOCK, STANDARD_CAPACITY
from traits.intervals import weighted_partial_slope, weighted_slope
from traits.metrics import Trial


@dataclass(frozen=True, slots=True)
class Session:
    """The arrays every indicator is computed from: one entry per balloon in play order."""

    trials: tuple[Trial, ...]
    x: Any  # pumps rescaled to a 128-pump balloon
    collected: Any  # 1.0 where the balloon was collected, 0.0 where it popped
    position: Any  # 0, 1, 2, … (play order within the colour)
    scale: float  # 128 / capacity: raw pumps = x / scale

    @classmethod
    def of(cls, trials: Sequence[Trial]) -> Session:
        trials = tuple(trials)
        capacity = max((t.max_pumps for t in trials), default=STANDARD_CAPACITY)
        return cls(
            trials,
            np.array([t.pumps * STANDARD_CAPACITY / t.max_pumps for t in trials], dtype=np.float64),
            np.array([0.0 if t.exploded else 1.0 for t in trials]),
            np.arange(len(trials), dtype=np.float64),
            STANDARD_CAPACITY / capacity,
        )


Statistic = Callable[[Session, Any], Any]  # (session, B × units weights) → B values, NaN where undefined


def _risk(s: Session, w: Any) -> Any:
    k = (w * s.collected).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 0, (w * s.collected * s.x).sum(axis=1) / k, np.nan)


def _consistency(s: Session, w: Any) -> Any:
    wm = w * s.collected
    k, s1, s2 = wm.sum(axis=1), (wm * s.x).sum(axis=1), (wm * s.x * s.x).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / k
        sd = np.sqrt(np.maximum(s2 - s1 * s1 / k, 0.0) / (k - 1))
        return np.where((k >= 2) & (mean > 0), -sd / mean, np.nan)


def _learning(s: Session, w: Any) -> Any:
    """Slope of collected balloons' pumps on play position, per 10 balloons: + toward more risk."""
    return PER_BLOCK * weighted_slope(w * s.collected, s.position, s.x)


def _loss(s: Session, w: Any) -> Any:
    """Over pairs (balloon i, balloon i+1) whose i+1 was collected: the change in pumps on i+1 when i
    popped, the session's linear trend held fixed.

    Only collected next balloons count (adjusted pumps, as for risk): a popped one's count is its
    explosion point, noise that is 3–4 times larger. The trend term keeps a learner, whose later
    balloons are both pumped more and popped more, from reading as reacting to pops.
    """
    c = s.collected
    return weighted_partial_slope(w * c[..., 1:], s.position[1:], 1.0 - c[..., :-1], s.x[..., 1:])


def _gap_medians(trials: Sequence[Trial], draws: Any) -> Any:
    """Per row of `draws` (how often each balloon was drawn), the median of the drawn balloons'
    pooled inter-pump intervals, NaN when there are none; equal to np.median of each pooled array.

    Instead of pooling row by row, every interval is sorted once and weighted by how often its
    balloon was drawn; the median's two middle ranks are then read off the cumulative weights.
    """
    gaps = [np.diff(np.asarray(t.pump_ts, dtype=np.float64)) for t in trials]
    values = np.concatenate(gaps) if gaps else np.zeros(0)
    if values.size == 0:
        return np.full(draws.shape[0], np.nan)
    owner = np.repeat(np.arange(len(gaps)), [g.size for g in gaps])
    order = np.argsort(values, kind="stable")
    values, owner = values[order], owner[order]
    # int32: the counts stay far below 2³¹ and the running sum is three times faster than in int64.
    cum = np.cumsum(draws.astype(np.int32)[:, owner], axis=1, dtype=np.int32)
    total = cum[:, -1]
    # The element of 0-based rank k in a row's pooled, sorted intervals is the first whose cumulative weight exceeds k.
    lo = values[np.minimum((cum <= ((total - 1) // 2)[:, None]).sum(axis=1), values.size - 1)]
    hi = values[np.minimum((cum <= (total // 2)[:, None]).sum(axis=1), values.size - 1)]
    return np.where(total > 0, (lo + hi) / 2, np.nan)


def _pooled_gap_medians(trials: Sequence[Trial], idx: Any) -> Any:
    """_gap_medians for rows of drawn balloon indices (kept for the equivalence test)."""
    rows, n = idx.shape
    draws = np.bincount((idx + n * np.arange(rows)[:, None]).ravel(), minlength=rows * n).reshape(rows, n)
    return _gap_medians(trials, draws)


def _pace(s: Session, w: Any) -> Any:
    return -np.log10(np.maximum(_gap_medians(s.trials, w), 1.0))


def _point(statistic: Statistic, s: Session, units: int) -> float | None:
    value = float(statistic(s, np.ones((1, units)))[0])
    return value if math.isfinite(value) else None


def post_loss_change(trials: Sequence[Trial]) -> float | None:
    """Pumps on the balloon after a pop minus after a collect, the session's linear trend held fixed."""
    return _point(_loss, Session.of(trials), len(trials) - 1) if len(trials) > 1 else None


def learning_slope(trials: Sequence[Trial]) -> float | None:
    """Signed change of collected balloons' pumps per 10 balloons over the session."""
    return _point(_learning, Session.of(trials), len(trials))
