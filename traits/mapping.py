"""Trait mapping: a session's balloons → positions on bi-directional dimensions (pure, no Django).

Each dimension has two poles, neither of them "good" (the pymetrics convention). Its score is an
indicator computed from the session's balloons, with a 95 % interval from a circular block
bootstrap over balloons in play order (traits/intervals.py), or "insufficient data". Learning and
reaction to loss are SIGNED (version 2): 0 means "no trend" / "unchanged after a loss", and each
direction has its own pole. A value is placed (z, percentile) only against a study norm that
leaves the scored person out (traits/norms.py); without one, researchers get a z on the authors'
placeholder scale, never a percentile. Formulas and sources: docs/traits.md. Changing any number
here is a new TRAITS_VERSION.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from traits.intervals import block_counts, block_length, weighted_partial_slope, weighted_slope
from traits.metrics import Trial
from traits.norms import MIN_STUDY_NORMS, PERCENTILE_METHOD, Norm, norm_from_json, norm_to_json, percentile
from traits.norms import sample_norm as _sample_norm
from traits.norms import usable as _usable

TRAITS_VERSION = "bart-traits/2.0.0"
BOOTSTRAP_SAMPLES = 400
STANDARD_CAPACITY = 128  # pump counts are rescaled to the standard balloon so colours compare
PER_BLOCK = 10.0  # learning is said per 10 balloons, the BART's block (Lejuez et al. 2002)
__all__ = ["MIN_STUDY_NORMS", "PERCENTILE_METHOD", "TRAITS_VERSION", "compute_profile"]


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
    return weighted_partial_slope(w * s.collected[1:], s.position[1:], 1.0 - s.collected[:-1], s.x[1:])


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


def adjusted_pumps(trials: Sequence[Trial]) -> float | None:
    """Mean pumps on collected balloons, rescaled to 128 (Lejuez et al. 2002)."""
    return _point(_risk, Session.of(trials), len(trials))


def post_loss_change(trials: Sequence[Trial]) -> float | None:
    """Pumps on the balloon after a pop minus after a collect, the session's linear trend held fixed."""
    return _point(_loss, Session.of(trials), len(trials) - 1) if len(trials) > 1 else None


def pace(trials: Sequence[Trial]) -> float | None:
    """−log10 of the median inter-pump interval (ms): higher is faster."""
    return _point(_pace, Session.of(trials), len(trials))


def steadiness(trials: Sequence[Trial]) -> float | None:
    """−(SD / mean) of pumps on collected balloons: higher is more consistent."""
    return _point(_consistency, Session.of(trials), len(trials))


def learning_slope(trials: Sequence[Trial]) -> float | None:
    """Signed change of collected balloons' pumps per 10 balloons over the session."""
    return _point(_learning, Session.of(trials), len(trials))


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def facts(key: str, s: Session, value: float | None) -> dict[str, Any]:
    """The behaviour behind a score in the player's own units (pumps of the real balloon, seconds)."""
    raw = [float(t.pumps) for t in s.trials]
    kept = [p for p, t in zip(raw, s.trials, strict=True) if not t.exploded]
    if key == "risk_tolerance":
        capacity = max((t.max_pumps for t in s.trials), default=None)
        return {"mean_pumps": _mean(kept), "max_pumps": capacity, "n_collected": len(kept), "n_balloons": len(raw)}
    if key == "reaction_to_loss":
        pairs = [(a, b) for a, b in itertools.pairwise(s.trials) if not b.exploded]
        after_pop = [float(b.pumps) for a, b in pairs if a.exploded]
        after_collect = [float(b.pumps) for a, b in pairs if not a.exploded]
        change = None if value is None else value / s.scale
        return {
            "after_pop_mean": _mean(after_pop),
            "after_collect_mean": _mean(after_collect),
            "n_after_pop": len(after_pop),
            "n_after_collect": len(after_collect),
            "change_pumps": change,
        }
    if key == "decision_pace":
        gaps = [b - a for t in s.trials for a, b in itertools.pairwise(t.pump_ts)]
        return {"median_ms": float(np.median(gaps)) if gaps else None, "n_intervals": len(gaps)}
    if key == "consistency":
        sd = float(np.std(kept, ddof=1)) if len(kept) >= 2 else None
        return {"mean_pumps": _mean(kept), "sd_pumps": sd, "n_collected": len(kept)}
    if key == "learning":
        if value is None or not kept:
            return {"per_10_balloons": None, "start_pumps": None, "end_pumps": None}
        slope = value / s.scale / PER_BLOCK  # raw pumps per balloon
        pos = [float(i) for i, t in enumerate(s.trials) if not t.exploded]
        centre = _mean(kept) or 0.0
        mid = _mean(pos) or 0.0
        last = float(len(s.trials) - 1)
        return {
            "per_10_balloons": slope * PER_BLOCK,
            "start_pumps": centre + slope * (0.0 - mid),
            "end_pumps": centre + slope * (last - mid),
        }
    return {}


def _need_collected(n: int) -> Callable[[Sequence[Trial]], str | None]:
    def check(trials: Sequence[Trial]) -> str | None:
        got = sum(1 for t in trials if not t.exploded)
        return None if got >= n else f"needs at least {n} collected balloons (has {got})"

    return check


def _need_pairs(trials: Sequence[Trial]) -> str | None:
    pairs = [a for a, b in itertools.pairwise(trials) if not b.exploded]
    loss = sum(1 for a in pairs if a.exploded)
    win = len(pairs) - loss
    if loss >= 3 and win >= 3:
        return None
    return f"needs 3 collected balloons right after a pop and 3 right after a collect (has {loss} and {win})"


def _need_intervals(trials: Sequence[Trial]) -> str | None:
    n = sum(max(len(t.pump_ts) - 1, 0) for t in trials)
    return None if n >= 20 else f"needs at least 20 inter-pump intervals (has {n})"


def _need_trend(trials: Sequence[Trial]) -> str | None:
    half = len(trials) // 2
    first = sum(1 for t in trials[:half] if not t.exploded)
    second = sum(1 for t in trials[half:] if not t.exploded)
    if len(trials) >= 20 and first >= 5 and second >= 5:
        return None
    return f"needs 20 balloons with 5 collected in each half (has {len(trials)}; {first} and {second} collected)"


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    low_pole: str
    high_pole: str
    indicator: str  # what the raw value is, in words
    statistic: Statistic
    units: str  # "balloons" or "pairs": what the block bootstrap resamples
    enough: Callable[[Sequence[Trial]], str | None]  # None when enough data, else the reason
    evidence: tuple[tuple[str, str], ...]  # (model, parameter) shown beside the score
    plain: str  # one sentence for participants
    zero: str | None = None  # for a signed indicator, what 0 means (the point between the poles)

    def value(self, trials: Sequence[Trial]) -> float | None:
        units = len(trials) - (1 if self.units == "pairs" else 0)
        return _point(self.statistic, Session.of(trials), units) if units > 0 else None


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "risk_tolerance",
        "Risk tolerance",
        "cautious",
        "risk-seeking",
        "adjusted average pumps (rescaled to a 128-pump balloon)",
        _risk,
        "balloons",
        _need_collected(5),
        (("bart_par4", "gamma"), ("bart_ewmv", "rho")),
        "How far you tended to pump a balloon before collecting.",
    ),
    Dimension(
        "reaction_to_loss",
        "Reaction to loss",
        "more cautious after a loss",
        "more daring after a loss",
        "pumps on a collected balloon after a pop minus after a collect, the session's trend held fixed "
        "(per 128-pump balloon)",
        _loss,
        "pairs",
        _need_pairs,
        (("bart_par4", "eta"), ("bart_ewmv", "lambda")),
        "What you did on the balloon after one popped.",
        zero="unchanged after a loss",
    ),
    Dimension(
        "decision_pace",
        "Decision pace",
        "deliberate",
        "fast",
        "−log10 median time between pumps (ms)",
        _pace,
        "balloons",
        _need_intervals,
        (),
        "How quickly you pumped, pump after pump.",
    ),
    Dimension(
        "consistency",
        "Consistency",
        "exploratory",
        "consistent",
        "−coefficient of variation of pumps on collected balloons",
        _consistency,
        "balloons",
        _need_collected(5),
        (("bart_par4", "tau"), ("bart_ewmv", "tau")),
        "How similar your choices were from one balloon to the next.",
    ),
    Dimension(
        "learning",
        "Change over the game",
        "more cautious over time",
        "more daring over time",
        "signed slope of pumps on collected balloons over play order, per 10 balloons (per 128-pump balloon)",
        _learning,
        "balloons",
        _need_trend,
        (("bart_par4", "eta"), ("bart_ewmv", "eta")),
        "Whether you pumped more, or less, as the game went on.",
        zero="no trend over the game",
    ),
)
BY_KEY = {d.key: d for d in DIMENSIONS}

PLACEHOLDER_SOURCE = (
    "placeholder scale of the platform's authors (bart-traits/2.0.0): not published norms, not measured on any "
    "sample; gives researchers a z for charts, never a percentile"
)
# Signed indicators are centred on their meaningful zero; the spreads are guesses (docs/traits.md).
PLACEHOLDER: dict[str, Norm] = {
    "risk_tolerance": Norm("placeholder", 32.0, 12.0, PLACEHOLDER_SOURCE),
    "reaction_to_loss": Norm("placeholder", 0.0, 8.0, PLACEHOLDER_SOURCE),
    "decision_pace": Norm("placeholder", -math.log10(300.0), 0.2, PLACEHOLDER_SOURCE),
    "consistency": Norm("placeholder", -0.45, 0.15, PLACEHOLDER_SOURCE),
    "learning": Norm("placeholder", 0.0, 5.0, PLACEHOLDER_SOURCE),
}


def norms_from_values(values: dict[str, Sequence[float]], source: str) -> dict[str, Norm]:
    """Study norms: each dimension's sample of participants' values, kept when it has at least
    MIN_STUDY_NORMS + 1 values (so that each member, left out, is still compared with MIN_STUDY_NORMS
    others) and some spread. Dimensions left out are placed on the placeholder scale only."""
    out = {}
    for key, vals in values.items():
        norm = _sample_norm(vals, method=PERCENTILE_METHOD[key], source=source)
        if norm.n >= MIN_STUDY_NORMS + 1 and norm.sd > 0:
            out[key] = norm
    return out


def norms_to_json(norms: dict[str, Norm]) -> dict[str, dict[str, Any]]:
    return {key: norm_to_json(n) for key, n in sorted(norms.items())}


def norms_from_json(data: dict[str, dict[str, Any]], label: str | None = None) -> dict[str, Norm]:
    out = {}
    for key, d in data.items():
        if key in BY_KEY and d.get("values"):
            n = norm_from_json(key, d)
            out[key] = Norm(n.basis, n.mean, n.sd, n.source, n.method, n.values, label)
    return out


def norms_hash(norms: dict[str, Norm]) -> str:
    """SHA-256 of the canonical JSON of the norms (values included) with TRAITS_VERSION."""
    payload = {"traits_version": TRAITS_VERSION, "norms": norms_to_json(norms)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def study_norms_label(norms: dict[str, Norm]) -> str:
    """What a profile standardized against these norms records in its `reference` field."""
    return "study-norms-" + norms_hash(norms)[:16]


def _interval(dim: Dimension, s: Session, rng: np.random.Generator) -> tuple[float, float] | None:
    units = len(s.trials) - (1 if dim.units == "pairs" else 0)
    values = dim.statistic(s, block_counts(units, BOOTSTRAP_SAMPLES, rng))
    values = values[np.isfinite(values)]
    if values.size < BOOTSTRAP_SAMPLES // 2:
        return None
    return float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))


def _direction(dim: Dimension, interval: tuple[float, float] | None) -> str | None:
    """For a signed dimension: "high" or "low" when the whole interval is on that side of 0, else "none"."""
    if dim.zero is None:
        return None
    if interval is not None and interval[0] > 0:
        return "high"
    if interval is not None and interval[1] < 0:
        return "low"
    return "none"


def score_dimension(
    dim: Dimension, trials: Sequence[Trial], norm: Norm, rng: np.random.Generator, fits: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    s = Session.of(trials)
    basis = norm.as_dict()
    base: dict[str, Any] = {
        "key": dim.key,
        "label": dim.label,
        "low_pole": dim.low_pole,
        "high_pole": dim.high_pole,
        "zero": dim.zero,
        "indicator": dim.indicator,
        "plain": dim.plain,
        "norm": basis,
        "reference": basis,  # the 1.x name of the same record, kept for readers of both versions
        "model_evidence": _evidence(dim, fits),
    }
    reason = dim.enough(trials)
    value = dim.value(trials) if reason is None else None
    if value is None:
        return {
            **base,
            "status": "insufficient_data",
            "reason": reason or "the indicator is undefined",
            "value": None,
            "value_interval": None,
            "direction": None,
            "facts": facts(dim.key, s, None),
            "z": None,
            "z_interval": None,
            "percentile": None,
            "percentile_interval": None,
        }
    interval = _interval(dim, s, rng)
    z_int = None if interval is None else [(v - norm.mean) / norm.sd for v in interval]
    pct = percentile(norm, value)
    return {
        **base,
        "status": "ok",
        "reason": None,
        "value": value,
        "value_interval": list(interval) if interval else None,
        "interval_method": {
            "kind": "circular block bootstrap, percentile interval",
            "units": dim.units,
            "block_length": block_length(len(trials) - (1 if dim.units == "pairs" else 0)),
            "samples": BOOTSTRAP_SAMPLES,
        },
        "direction": _direction(dim, interval),
        "facts": facts(dim.key, s, value),
        "z": (value - norm.mean) / norm.sd,
        "z_interval": z_int,
        "percentile": pct,
        "percentile_interval": (
            [percentile(norm, interval[0]), percentile(norm, interval[1])] if interval and pct is not None else None
        ),
    }


def _evidence(dim: Dimension, fits: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for model, param in dim.evidence:
        fit = fits.get(model)
        if fit and param in fit.get("estimates", {}):
            out.append(
                {
                    "model": model,
                    "version": fit.get("version"),
                    "parameter": param,
                    "estimate": fit["estimates"][param],
                    "interval": fit.get("intervals", {}).get(param),
                    "converged": fit.get("converged"),
                }
            )
    return out


def compute_profile(
    trials: Sequence[Trial],
    fits: dict[str, dict[str, Any]] | None = None,
    *,
    seed: int = 0,
    norms: dict[str, Norm] | None = None,
) -> dict[str, Any]:
    """Every dimension of TRAITS_VERSION for the balloons given (the primary colour, in play order).

    `norms` are the (already leave-one-out) norms to place the person against; a dimension without
    a usable one is put on the placeholder scale (z only). `seed` drives the bootstrap; the pipeline
    derives it from the input-events hash so the same input always gives the same intervals.
    """
    rng = np.random.default_rng(seed)
    trials = list(trials)
    norms = norms or {}
    dims = []
    for d in DIMENSIONS:
        norm = norms.get(d.key)
        dims.append(score_dimension(d, trials, norm if norm and _usable(norm) else PLACEHOLDER[d.key], rng, fits or {}))
    return {
        "version": TRAITS_VERSION,
        "n_balloons": len(trials),
        "dimensions": dims,
        "bootstrap_samples": BOOTSTRAP_SAMPLES,
    }
