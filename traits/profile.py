"""Profile-likelihood intervals for one session's fit (pure: numpy and the compiled fit, no Django).

The Hessian (Wald) interval x̂ ± 1.96·SE assumes the log posterior is quadratic on the free scale.
For the BART models it is not: a session of 30 balloons holds few informative decisions, φ and γ
(par4) or ρ and λ (EWMV) trade off along a curved ridge, and in simulation over the plausible
ranges the Wald intervals covered the true value for 68-92 % of agents (docs/validation.md).

The profile interval of parameter i is the set of values v at which the best log posterior with
θᵢ held at v lies within half the χ²₁ 95 % quantile of the maximum:

    P(v) = min over θ₋ᵢ of −log p(θ | data) with θᵢ = v,     {v : P(v) − P(θ̂ᵢ) ≤ 1.92}

(Venzon & Moolgavkar 1988; Pawitan 2001, In All Likelihood, ch. 3.4 and 9). It follows the ridge
instead of its tangent, is invariant to the parameter's scale, and where the data cannot bound a
parameter it runs to the bound of the search (FREE_BOUND) instead of pretending a width. The
inner minimisation is the compiled BFGS with the coordinate held fixed (traits.fitting.bfgs),
started where the quadratic approximation at the optimum puts the others (x̂₋ᵢ + Σ₋ᵢ,ᵢ/Σᵢᵢ·Δ)
with their conditional covariance as its first inverse Hessian.

Each end is bracketed by doubling steps from 1.96 Wald SEs and then found by the Illinois variant of
regula falsi on the known signs (the profile is re-optimised at every probe, warm-started from the
previous probe, so re-evaluating a bracket end could give a different value; the method never does).
EWMV's profile can have more than one branch (η small or large), so each end found is confirmed
from a second start (the optimum's other coordinates): where that finds the profile still below
the threshold, the search resumes outward (at most MAX_RESUMES times). The interval can therefore
only err toward the true profile's width, never inside it by a branch the search missed at its end.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

CRITICAL = 1.920729410347062  # χ²₁(0.95) / 2: the drop in log posterior that bounds a 95 % interval
FIRST_STEP_SE = 1.96  # the first probe: where the Wald interval would end
DEFAULT_SE = 0.5  # free-scale step when the Hessian gave no SE (not positive definite)
MIN_STEP = 0.05
X_TOL = 1e-2  # free scale (1 % of the value on a log scale): far below any interval width the data support
MAX_REFINE = 14
FAR = 50.0  # a probe this far above the threshold (or at the objective's wall) is bisected, not interpolated
WALL_VALUE = 1e11  # traits.fitting's WALL (1e12) and beyond: outside the domain
MAX_RESUMES = 3  # outward restarts after a second start found the profile lower at an end
THREADS = max(1, min(os.cpu_count() or 1, 4))  # a speed setting only: the numbers do not depend on it
PROFILE_GTOL = 1e-4  # the inner fit's gradient tolerance: its value is then exact to ~1e-8, far below 1.92


@dataclass(frozen=True, slots=True)
class _Path:
    """How the other parameters follow parameter i along its profile, to first order (from H⁻¹)."""

    slope: np.ndarray | None  # Σ₋ᵢ,ᵢ / Σᵢᵢ: the optimum of the others moves by this per unit of θᵢ
    inverse_hessian: np.ndarray | None  # Σ₋ᵢ|ᵢ, row and column i zero but the diagonal


# The naive inner fit: from the given point with the identity as curvature (the second start of _end).
_NAIVE = _Path(None, None)


def _path(cov: np.ndarray | None, i: int) -> _Path:
    if cov is None or not cov[i, i] > 0:
        return _NAIVE
    slope = cov[:, i] / cov[i, i]
    conditional = cov - np.outer(cov[:, i], cov[i, :]) / cov[i, i]
    conditional[i, :] = 0.0
    conditional[:, i] = 0.0
    conditional[i, i] = 1.0
    return _Path(slope, conditional)


def _profile(problem: Any, path: _Path, i: int, value: float, warm: np.ndarray) -> tuple[float, np.ndarray]:
    # Start where the quadratic approximation puts the others' optimum, with its curvature: the
    # inner fit then takes a few steps instead of dozens (on a single-branch profile, the same optimum).
    start = warm + path.slope * (value - warm[i]) if path.slope is not None else warm.copy()
    start[i] = value
    result = problem.minimize(start, fixed=i, gtol=PROFILE_GTOL, inverse_hessian=path.inverse_hessian)
    if path.slope is not None and not result.value < WALL_VALUE:
        # The straight-line prediction left the domain (a long step on a curved ridge): from the
        # previous point instead.
        start = warm.copy()
        start[i] = value
        result = problem.minimize(start, fixed=i, gtol=PROFILE_GTOL, inverse_hessian=path.inverse_hessian)
    return float(result.value), result.x


def _end(
    problem: Any, x: np.ndarray, f0: float, i: int, se: float | None, sign: float, bound: float, path: _Path
) -> float:
    """One end of parameter i's interval on the free scale (the search bound when the data do not reach it)."""
    step = max(se if se and math.isfinite(se) else DEFAULT_SE, MIN_STEP) * FIRST_STEP_SE
    a, fa, warm = float(x[i]), -CRITICAL, x.copy()
    origin = float(x[i])
    for _ in range(MAX_RESUMES + 1):
        while True:
            b = origin + sign * step
            if abs(b) >= bound:
                b = sign * bound
            value, point = _profile(problem, path, i, b, warm)
            fb = value - f0 - CRITICAL
            if fb > 0:
                break
            if abs(b) >= bound:
                return b  # the profile never drops far enough: the data do not bound this side
            a, fa, warm = b, fb, point
            step *= 2.0
        for _ in range(MAX_REFINE):
            if abs(b - a) < X_TOL:
                break
            # Regula falsi, except where the outer value is a wall or far past the threshold: there
            # the secant would creep along the inner end, so the bracket is halved instead.
            c = b - fb * (b - a) / (fb - fa) if fb < FAR else 0.5 * (a + b)
            value, point = _profile(problem, path, i, c, warm)
            fc = value - f0 - CRITICAL
            if fc > 0:
                b, fb = c, fc
                fa *= 0.5
            else:
                a, fa, warm = c, fc, point
                fb *= 0.5
        # Confirmed from a second start, the optimum's other coordinates with the identity as
        # curvature (a non-convex profile can have several inner optima): where it finds the profile
        # still inside, the search resumes outward from there.
        value, point = _profile(problem, _NAIVE, i, b, x)
        if value - f0 - CRITICAL > 0:
            break
        a, fa, warm = b, value - f0 - CRITICAL, point
        origin, step = b, max(abs(b - float(x[i])), MIN_STEP)
    return 0.5 * (a + b)


def profile_intervals(
    problem: Any, x: np.ndarray, f0: float, cov: np.ndarray | None, bound: float
) -> list[tuple[float, float]]:
    """Each parameter's 95 % profile interval on the free scale, from the optimum x (objective value f0).

    `cov` is H⁻¹ at x (None when H was not positive definite): it sizes the first probe and starts
    each inner fit; without it the probes start at 0.5 and from the previous point.
    """

    def end(job: tuple[int, float]) -> float:
        i, sign = job
        se = math.sqrt(float(cov[i, i])) if cov is not None and cov[i, i] > 0 else None
        return _end(problem, x, f0, i, se, sign, bound, _path(cov, i))

    jobs = [(i, sign) for i in range(x.size) for sign in (-1.0, 1.0)]
    # The 2k ends are independent searches and the compiled fit releases the GIL: they run on all
    # cores, each giving the same number whichever thread ran it.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        ends = list(pool.map(end, jobs))
    return [(ends[2 * i], ends[2 * i + 1]) for i in range(x.size)]
