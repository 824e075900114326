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
inner minimisation is the compiled BFGS with the coordinate held fixed (traits.fitting.bfgs).
Each end is bracketed by doubling steps from 1.96 Wald SEs and then found by the Illinois variant of
regula falsi on the known signs (the profile is re-optimised at every probe, warm-started from the
previous probe, so re-evaluating a bracket end could give a different value; the method never does).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

CRITICAL = 1.920729410347062  # χ²₁(0.95) / 2: the drop in log posterior that bounds a 95 % interval
FIRST_STEP_SE = 1.96  # the first probe: where the Wald interval would end
DEFAULT_SE = 0.5  # free-scale step when the Hessian gave no SE (not positive definite)
MIN_STEP = 0.05
X_TOL = 2e-3  # free scale: far below any interval width the data support
MAX_REFINE = 14


def _profile(problem: Any, base: np.ndarray, i: int, value: float, warm: np.ndarray) -> tuple[float, np.ndarray]:
    start = warm.copy()
    start[i] = value
    result = problem.minimize(start, fixed=i)
    return float(result.value), result.x


def _end(problem: Any, x: np.ndarray, f0: float, i: int, se: float | None, sign: float, bound: float) -> float:
    """One end of parameter i's interval on the free scale (the search bound when the data do not reach it)."""
    step = max(se if se and math.isfinite(se) else DEFAULT_SE, MIN_STEP) * FIRST_STEP_SE
    a, fa, warm = float(x[i]), -CRITICAL, x.copy()
    while True:
        b = float(x[i]) + sign * step
        if abs(b) >= bound:
            b = sign * bound
        value, point = _profile(problem, x, i, b, warm)
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
        c = b - fb * (b - a) / (fb - fa)
        value, point = _profile(problem, x, i, c, warm)
        fc = value - f0 - CRITICAL
        if fc > 0:
            b, fb = c, fc
            fa *= 0.5
        else:
            a, fa, warm = c, fc, point
            fb *= 0.5
    return 0.5 * (a + b)


def profile_intervals(
    problem: Any, x: np.ndarray, f0: float, ses: list[float | None], bound: float
) -> list[tuple[float, float]]:
    """Each parameter's 95 % profile interval on the free scale, from the optimum x (objective value f0)."""
    return [
        (_end(problem, x, f0, i, ses[i], -1.0, bound), _end(problem, x, f0, i, ses[i], 1.0, bound))
        for i in range(x.size)
    ]
