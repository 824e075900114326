"""Correlations for convergent validity, with Fisher-z confidence intervals (pure, no Django).

Pearson's r between a trait indicator and an external measure over the participants who have
both (pairwise-complete cases), its (1 − alpha) interval from Fisher's (1921) z = atanh(r) with
SE 1/√(n − 3), and the two-sided p of H₀ ρ = 0 from t = r√((n − 2)/(1 − r²)) on n − 2 df (what
scipy.stats.pearsonr reports). Spearman's ρ is Pearson's r of the mid-ranks, its interval the
Fisher z with the Fieller, Hartley & Pearson (1957) SE √(1.06/(n − 3)). Formulas and sources:
docs/reliability-validity.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

# Bumped on any change that can change a stored or reported number (docs/science.md, "Versioning policy").
VALIDITY_VERSION = "1.0.0"

# Fisher z's SE 1/√(n − 3) needs n > 3; below 4 pairs there is no interval to give.
MIN_PAIRS = 4

# Fieller, Hartley & Pearson (1957): var(atanh ρ_s) ≈ 1.06 / (n − 3) for Spearman's ρ.
SPEARMAN_VARIANCE_FACTOR = 1.06

Method = Literal["pearson", "spearman"]


@dataclass(frozen=True, slots=True)
class CorrelationResult:
    """r with its interval and p, or `r` None and a `reason` saying why not.

    n: pairs used (both values finite); excluded: pairs dropped because either value was missing.
    """

    r: float | None
    lower: float | None
    upper: float | None
    n: int
    p_value: float | None
    method: Method = "pearson"
    reason: str | None = None
    excluded: int = 0


def _as_float(value: float | None) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def complete_pairs(x: Sequence[float | None], y: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (xᵢ, yᵢ) where both are finite; None, NaN and ±inf are missing."""
    if len(x) != len(y):
        raise ValueError(f"x and y must pair up: {len(x)} values against {len(y)}")
    xs = np.array([_as_float(v) for v in x], dtype=np.float64)
    ys = np.array([_as_float(v) for v in y], dtype=np.float64)
    keep = np.isfinite(xs) & np.isfinite(ys)
    return xs[keep], ys[keep]


def fisher_interval(r: float, n: int, alpha: float = 0.05, variance_factor: float = 1.0) -> tuple[float, float]:
    """tanh(atanh r ∓ z₁₋α/₂ · √(variance_factor / (n − 3))); [r, r] when |r| = 1 (atanh is infinite)."""
    if abs(r) >= 1.0:
        return r, r
    z = math.atanh(r)
    half = stats.norm.ppf(1.0 - alpha / 2.0) * math.sqrt(variance_factor / (n - 3))
    return math.tanh(z - half), math.tanh(z + half)


def _t_test_p(r: float, n: int) -> float:
    """Two-sided p of H₀ ρ = 0: t = r√((n − 2)/(1 − r²)) on n − 2 df (exact under bivariate normality)."""
    if abs(r) >= 1.0:
        return 0.0
    t = r * math.sqrt((n - 2) / (1.0 - r * r))
    return float(2.0 * stats.t.sf(abs(t), n - 2))


def _correlate(x: Sequence[float | None], y: Sequence[float | None], alpha: float, method: Method) -> CorrelationResult:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    xs, ys = complete_pairs(x, y)
    n = int(xs.size)
    excluded = len(x) - n

    def unavailable(reason: str) -> CorrelationResult:
        return CorrelationResult(
            r=None, lower=None, upper=None, n=n, p_value=None, method=method, reason=reason, excluded=excluded
        )

    if n < MIN_PAIRS:
        return unavailable(f"{n} complete pairs; at least {MIN_PAIRS} are needed for the Fisher-z interval")
    # Exact comparison on purpose: any spread at all gives a defined (if unstable) r.
    if np.all(xs == xs[0]) or np.all(ys == ys[0]):
        which = "x" if np.all(xs == xs[0]) else "y"
        return unavailable(f"{which} is constant over the complete pairs, so r is 0/0")
    if method == "spearman":
        xs, ys = stats.rankdata(xs), stats.rankdata(ys)
    dx, dy = xs - xs.mean(), ys - ys.mean()
    r = float(np.dot(dx, dy) / math.sqrt(float(np.dot(dx, dx)) * float(np.dot(dy, dy))))
    r = max(-1.0, min(1.0, r))  # rounding can step just past ±1
    factor = SPEARMAN_VARIANCE_FACTOR if method == "spearman" else 1.0
    lower, upper = fisher_interval(r, n, alpha, factor)
    return CorrelationResult(
        r=r,
        lower=lower,
        upper=upper,
        n=n,
        p_value=_t_test_p(r, n),
        method=method,
        excluded=excluded,
    )


def pearson(x: Sequence[float | None], y: Sequence[float | None], alpha: float = 0.05) -> CorrelationResult:
    """Pearson's r over pairwise-complete cases with its Fisher-z (1 − alpha) interval and t-test p."""
    return _correlate(x, y, alpha, "pearson")


def spearman(x: Sequence[float | None], y: Sequence[float | None], alpha: float = 0.05) -> CorrelationResult:
    """Spearman's ρ (Pearson's r of mid-ranks) over pairwise-complete cases.

    Interval: Fisher z with the Fieller–Hartley–Pearson variance 1.06/(n − 3); p: the t test on the
    ranks, as scipy.stats.spearmanr reports it (approximate for small n).
    """
    return _correlate(x, y, alpha, "spearman")
