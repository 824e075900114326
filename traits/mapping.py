"""Trait mapping: metrics of a session → positions on bi-directional dimensions (pure, no Django).

Each dimension has two poles, neither of them "good" (the pymetrics convention). Its position is
an indicator computed from the session's balloons, standardized against a reference distribution
(z), with a 95 % interval from a bootstrap over balloons, or "insufficient data" when the session
cannot support it. Model parameters that speak to a dimension are attached as evidence, not mixed
into the score: they have no published norms for per-participant maximum-likelihood fits.

The default reference of version 1.0.0 is PROVISIONAL: no number in it is copied from a
publication (see docs/traits.md for what is and is not grounded). Scores against it are positions
relative to a placeholder; a study switches to its own norms (`reference_from_values`, stored as a
versioned StudyNorms row by `manage.py compute_study_norms`) once it has MIN_STUDY_NORMS
participants. Changing any default number here is a new TRAITS_VERSION.
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

from traits.metrics import Trial, ols_slope

TRAITS_VERSION = "bart-traits/1.0.0"
BOOTSTRAP_SAMPLES = 400
STANDARD_CAPACITY = 128  # pump counts are rescaled to the standard balloon so colours compare
MIN_STUDY_NORMS = 30


@dataclass(frozen=True, slots=True)
class Reference:
    mean: float
    sd: float
    source: str


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    low_pole: str
    high_pole: str
    indicator: str  # what the raw value is, in words
    statistic: Callable[[Sequence[Trial]], float | None]
    enough: Callable[[Sequence[Trial]], str | None]  # None when enough data, else the reason
    bootstrap: str  # "balloons", "pairs" or "blocks": what is resampled for the interval
    evidence: tuple[tuple[str, str], ...]  # (model, parameter) shown beside the score
    plain: str  # one sentence for participants


def _scale(trial: Trial) -> float:
    return STANDARD_CAPACITY / trial.max_pumps


def _collected(trials: Sequence[Trial]) -> list[float]:
    return [t.pumps * _scale(t) for t in trials if not t.exploded]


def adjusted_pumps(trials: Sequence[Trial]) -> float | None:
    kept = _collected(trials)
    return sum(kept) / len(kept) if kept else None


def loss_reactivity(trials: Sequence[Trial]) -> float | None:
    """−(post-loss adjustment): how many fewer pumps follow a pop than follow a collect."""
    loss = [b.pumps * _scale(b) for a, b in itertools.pairwise(trials) if a.exploded]
    win = [b.pumps * _scale(b) for a, b in itertools.pairwise(trials) if not a.exploded]
    if not loss or not win:
        return None
    return sum(win) / len(win) - sum(loss) / len(loss)


def pace(trials: Sequence[Trial]) -> float | None:
    """−log10 of the median inter-pump interval (ms): higher is faster."""
    gaps = sorted(b - a for t in trials for a, b in itertools.pairwise(t.pump_ts))
    if not gaps:
        return None
    median = float(np.median(gaps))
    return -math.log10(max(median, 1.0))


def steadiness(trials: Sequence[Trial]) -> float | None:
    """−(SD / mean) of pumps on collected balloons: higher is more consistent."""
    kept = _collected(trials)
    if len(kept) < 2:
        return None
    mean = sum(kept) / len(kept)
    if mean <= 0:
        return None
    return -float(np.std(kept, ddof=1)) / mean


def adaptation(trials: Sequence[Trial], block_size: int = 10) -> float | None:
    """|slope| of adjusted pumps across blocks of 10: how much behaviour moves over the session."""
    points = []
    for start in range(0, len(trials), block_size):
        kept = _collected(trials[start : start + block_size])
        if kept:
            points.append((start // block_size + 1.0, sum(kept) / len(kept)))
    slope = ols_slope([x for x, _ in points], [y for _, y in points])
    return abs(slope) if slope is not None else None


def _need_collected(n: int) -> Callable[[Sequence[Trial]], str | None]:
    def check(trials: Sequence[Trial]) -> str | None:
        got = sum(1 for t in trials if not t.exploded)
        return None if got >= n else f"needs at least {n} collected balloons (has {got})"

    return check


def _need_pairs(trials: Sequence[Trial]) -> str | None:
    loss = sum(1 for a in trials[:-1] if a.exploded)
    win = len(trials[:-1]) - loss
    return None if loss >= 3 and win >= 3 else f"needs 3 balloons after a pop and 3 after a collect ({loss}/{win})"


def _need_intervals(trials: Sequence[Trial]) -> str | None:
    n = sum(max(len(t.pump_ts) - 1, 0) for t in trials)
    return None if n >= 20 else f"needs at least 20 inter-pump intervals (has {n})"


def _need_blocks(trials: Sequence[Trial]) -> str | None:
    return None if len(trials) >= 30 else f"needs at least 30 balloons, 3 blocks (has {len(trials)})"


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "risk_tolerance",
        "Risk tolerance",
        "cautious",
        "risk-seeking",
        "adjusted average pumps (rescaled to a 128-pump balloon)",
        adjusted_pumps,
        _need_collected(5),
        "balloons",
        (("bart_par4", "gamma"), ("bart_ewmv", "rho")),
        "How far you tended to pump a balloon before collecting.",
    ),
    Dimension(
        "reaction_to_loss",
        "Reaction to loss",
        "steady",
        "reactive",
        "pumps after a collect minus pumps after a pop",
        loss_reactivity,
        _need_pairs,
        "pairs",
        (("bart_par4", "eta"), ("bart_ewmv", "lambda")),
        "How much a popped balloon changed what you did on the next one.",
    ),
    Dimension(
        "decision_pace",
        "Decision pace",
        "deliberate",
        "fast",
        "−log10 median time between pumps (ms)",
        pace,
        _need_intervals,
        "balloons",
        (),
        "How quickly you pumped, pump after pump.",
    ),
    Dimension(
        "consistency",
        "Consistency",
        "exploratory",
        "consistent",
        "−coefficient of variation of pumps on collected balloons",
        steadiness,
        _need_collected(5),
        "balloons",
        (("bart_par4", "tau"), ("bart_ewmv", "tau")),
        "How similar your choices were from one balloon to the next.",
    ),
    Dimension(
        "learning",
        "Learning",
        "fixed",
        "adaptive",
        "absolute slope of adjusted pumps across blocks of 10",
        adaptation,
        _need_blocks,
        "blocks",
        (("bart_par4", "eta"), ("bart_ewmv", "eta")),
        "How much your way of playing shifted over the course of the game.",
    ),
)

PROVISIONAL = (
    "provisional platform default (bart-traits/1.0.0): a placeholder scale chosen by the platform's authors, "
    "not published norms and not measured on any sample; use study norms when available"
)
DEFAULT_REFERENCE: dict[str, Reference] = {
    "risk_tolerance": Reference(32.0, 12.0, PROVISIONAL),
    "reaction_to_loss": Reference(3.0, 8.0, PROVISIONAL),
    "decision_pace": Reference(-math.log10(300.0), 0.2, PROVISIONAL),
    "consistency": Reference(-0.45, 0.15, PROVISIONAL),
    "learning": Reference(2.0, 2.0, PROVISIONAL),
}


def reference_from_values(values: dict[str, Sequence[float]], source: str) -> dict[str, Reference]:
    """Study norms: mean and SD (n − 1) of each dimension's indicator over a study's participants.

    Dimensions with fewer than MIN_STUDY_NORMS values (or no spread) keep the default reference,
    whose source says it is provisional.
    """
    out = dict(DEFAULT_REFERENCE)
    for key, vals in values.items():
        if len(vals) >= MIN_STUDY_NORMS and float(np.std(vals, ddof=1)) > 0:
            out[key] = Reference(float(np.mean(vals)), float(np.std(vals, ddof=1)), source)
    return out


def reference_to_json(reference: dict[str, Reference]) -> dict[str, dict[str, Any]]:
    return {key: {"mean": r.mean, "sd": r.sd, "source": r.source} for key, r in sorted(reference.items())}


def reference_from_json(data: dict[str, dict[str, Any]]) -> dict[str, Reference]:
    return {key: Reference(float(r["mean"]), float(r["sd"]), str(r["source"])) for key, r in data.items()}


def reference_hash(reference: dict[str, Reference]) -> str:
    """SHA-256 of the canonical JSON of a reference with TRAITS_VERSION: names a set of norms exactly."""
    payload = {"traits_version": TRAITS_VERSION, "reference": reference_to_json(reference)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def study_norms_label(reference: dict[str, Reference]) -> str:
    """What a profile standardized against these norms records in its `reference` field."""
    return "study-norms-" + reference_hash(reference)[:16]


def _boot_collected_mean(x: Any, m: Any, idx: Any) -> Any:
    k = m[idx].sum(axis=1)
    return np.where(k > 0, (x * m)[idx].sum(axis=1) / np.maximum(k, 1), np.nan)


def _pooled_gap_medians(trials: Sequence[Trial], idx: Any) -> Any:
    """Per row of `idx` (balloons drawn with replacement), the median of the drawn balloons' pooled
    inter-pump intervals, NaN when there are none; equal to np.median of each pooled array.

    Instead of pooling row by row, every interval is sorted once and weighted by how often its
    balloon was drawn; the median's two middle ranks are then read off the cumulative weights.
    """
    gaps = [np.diff(np.asarray(t.pump_ts, dtype=np.float64)) for t in trials]
    values = np.concatenate(gaps) if gaps else np.zeros(0)
    if values.size == 0:
        return np.full(idx.shape[0], np.nan)
    owner = np.repeat(np.arange(len(gaps)), [g.size for g in gaps])
    order = np.argsort(values, kind="stable")
    values, owner = values[order], owner[order]
    rows, n = idx.shape
    draws = np.bincount((idx + n * np.arange(rows)[:, None]).ravel(), minlength=rows * n).reshape(rows, n)
    # int32: the counts stay far below 2³¹ and the running sum is three times faster than in int64.
    cum = np.cumsum(draws.astype(np.int32)[:, owner], axis=1, dtype=np.int32)
    total = cum[:, -1]
    # The element of 0-based rank k in a row's pooled, sorted intervals is the first whose cumulative weight exceeds k.
    lo = values[np.minimum((cum <= ((total - 1) // 2)[:, None]).sum(axis=1), values.size - 1)]
    hi = values[np.minimum((cum <= (total // 2)[:, None]).sum(axis=1), values.size - 1)]
    return np.where(total > 0, (lo + hi) / 2, np.nan)


def _bootstrap_values(key: str, trials: Sequence[Trial], rng: np.random.Generator) -> Any:
    """BOOTSTRAP_SAMPLES resampled values of a dimension's indicator (NaN where undefined), vectorised.

    Balloons are drawn with replacement; for reaction to loss the units are (previous, next)
    pairs and for learning the draw is within each block of 10, so what the indicator measures
    (a sequence effect, a trend over blocks) survives resampling.
    """
    b, n = BOOTSTRAP_SAMPLES, len(trials)
    x = np.array([t.pumps * _scale(t) for t in trials], dtype=np.float64)
    m = np.array([0.0 if t.exploded else 1.0 for t in trials])
    if key == "risk_tolerance":
        return _boot_collected_mean(x, m, rng.integers(0, n, size=(b, n)))
    if key == "consistency":
        idx = rng.integers(0, n, size=(b, n))
        k, s1, s2 = m[idx].sum(axis=1), (x * m)[idx].sum(axis=1), (x * x * m)[idx].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s1 / k
            sd = np.sqrt(np.maximum(s2 - s1 * s1 / k, 0.0) / (k - 1))
            return np.where((k >= 2) & (mean > 0), -sd / mean, np.nan)
    if key == "reaction_to_loss":
        idx = rng.integers(0, n - 1, size=(b, n - 1))
        lost, after = 1.0 - m[:-1], x[1:]
        win_mean = _boot_collected_mean(after, 1.0 - lost, idx)
        loss_mean = _boot_collected_mean(after, lost, idx)
        return win_mean - loss_mean
    if key == "decision_pace":
        return -np.log10(np.maximum(_pooled_gap_medians(trials, rng.integers(0, n, size=(b, n))), 1.0))
    if key == "learning":
        means = []
        for start in range(0, n, 10):
            size = min(10, n - start)
            means.append(_boot_collected_mean(x, m, start + rng.integers(0, size, size=(b, size))))
        ys = np.stack(means, axis=1)
        xs = np.arange(1.0, ys.shape[1] + 1.0)
        w = np.isfinite(ys).astype(np.float64)
        ys0 = np.where(w > 0, ys, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = w.sum(axis=1)
            mx = (w * xs).sum(axis=1) / k
            my = (w * ys0).sum(axis=1) / k
            dx = (xs[None, :] - mx[:, None]) * w
            sxx = (dx * dx).sum(axis=1)
            slope = (dx * (ys0 - my[:, None])).sum(axis=1) / sxx
            return np.where((k >= 2) & (sxx > 0), np.abs(slope), np.nan)
    raise ValueError(f"no bootstrap for {key}")


def _bootstrap(dim: Dimension, trials: Sequence[Trial], rng: np.random.Generator) -> tuple[float, float] | None:
    values = _bootstrap_values(dim.key, trials, rng)
    values = values[np.isfinite(values)]
    if values.size < BOOTSTRAP_SAMPLES // 2:
        return None
    return float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def score_dimension(
    dim: Dimension, trials: Sequence[Trial], ref: Reference, rng: np.random.Generator, fits: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "key": dim.key,
        "label": dim.label,
        "low_pole": dim.low_pole,
        "high_pole": dim.high_pole,
        "indicator": dim.indicator,
        "plain": dim.plain,
        "reference": {"mean": ref.mean, "sd": ref.sd, "source": ref.source},
    }
    evidence = []
    for model, param in dim.evidence:
        fit = fits.get(model)
        if fit and param in fit.get("estimates", {}):
            evidence.append(
                {
                    "model": model,
                    "version": fit.get("version"),
                    "parameter": param,
                    "estimate": fit["estimates"][param],
                    "interval": fit.get("intervals", {}).get(param),
                    "converged": fit.get("converged"),
                }
            )
    base["model_evidence"] = evidence
    reason = dim.enough(trials)
    value = dim.statistic(trials) if reason is None else None
    if value is None:
        return {
            **base,
            "status": "insufficient_data",
            "reason": reason or "the indicator is undefined",
            "value": None,
            "z": None,
            "z_interval": None,
            "percentile": None,
            "percentile_interval": None,
        }
    z = (value - ref.mean) / ref.sd
    interval = _bootstrap(dim, trials, rng)
    z_int = None if interval is None else ((interval[0] - ref.mean) / ref.sd, (interval[1] - ref.mean) / ref.sd)
    return {
        **base,
        "status": "ok",
        "reason": None,
        "value": value,
        "z": z,
        "z_interval": list(z_int) if z_int else None,
        "value_interval": list(interval) if interval else None,
        "percentile": 100 * _phi(z),
        "percentile_interval": [100 * _phi(z_int[0]), 100 * _phi(z_int[1])] if z_int else None,
    }


def compute_profile(
    trials: Sequence[Trial],
    fits: dict[str, dict[str, Any]] | None = None,
    *,
    seed: int = 0,
    reference: dict[str, Reference] | None = None,
) -> dict[str, Any]:
    """Every dimension of TRAITS_VERSION for the balloons given (the primary colour, in play order).

    `seed` drives the bootstrap; the pipeline derives it from the input-events hash so the same
    input always gives the same intervals.
    """
    ref = reference or DEFAULT_REFERENCE
    rng = np.random.default_rng(seed)
    trials = list(trials)
    dims = [score_dimension(d, trials, ref[d.key], rng, fits or {}) for d in DIMENSIONS]
    return {
        "version": TRAITS_VERSION,
        "n_balloons": len(trials),
        "dimensions": dims,
        "bootstrap_samples": BOOTSTRAP_SAMPLES,
    }
