"""The fast path of the model fits: log posterior, gradient and BFGS compiled by numba (pure, no Django).

`traits/bart_models.py` holds the models as vectorised numpy, tested term by term against loops
written from the equations; it is the reference. A fit evaluates the posterior hundreds of times
on about a thousand decisions, and in numpy each evaluation pays for forty array operations on
small arrays (docs/performance.md measured 0.3 ms an evaluation, 0.5 s a session). The same
equations as plain loops compiled by numba, and the optimiser loop compiled with them, cost a
few microseconds an evaluation; tests/traits/test_fitting.py holds them equal to the reference.

The gradient is summed balloon by balloon: terms that depend only on the balloon (the belief,
ω) multiply the sum of the residuals d − σ(x) over that balloon's decisions.

The optimiser is BFGS (Nocedal & Wright 2006, Numerical Optimization, 2nd ed., algorithm 6.1)
with a backtracking line search under the Armijo condition (their algorithm 3.1, c1 = 1e-4), a
first step of length one on the free scale, the initial inverse Hessian rescaled after the first
step (their eq. 6.20), and the update skipped when the curvature condition yᵀs > 0 fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

Array = np.ndarray
# One participant's data as the compiled functions take it: Problem.data().
Data = tuple[Array, Array, Array, Array, Array, Array, Array, Array]
PAR4_ID, EWMV_ID = 0, 1
WALL = 1e12  # the objective's answer outside the domain (a line-search probe far out)
FREE_LIMIT = 30.0
ARMIJO_C1 = 1e-4
FTOL = 1e-12  # relative decrease below which an iteration counts as no progress
MAX_HALVINGS = 30  # a step of 2⁻³⁰ of the first guess changes nothing the data can tell
_NO_H0 = np.empty((0, 0))  # bfgs's "start from the identity"


@numba.njit(cache=True, error_model="numpy")
def _bernoulli(sign: float, x: float) -> tuple[float, float]:
    """−log P(d | logit x) and the score d − σ(x), with sign = 2d − 1, from one exp and one log1p.

    With z = −sign·x: −log P = softplus(z) = max(z, 0) + log1p(e^−|z|), and d − σ(x) = sign·σ(z).
    """
    z = -sign * x
    e = math.exp(-abs(z))
    if z > 0.0:
        return z + math.log1p(e), sign / (1.0 + e)
    return math.log1p(e), sign * e / (1.0 + e)


@numba.njit(cache=True, error_model="numpy")
def _natural(free: Array, low: Array, high: Array, values: Array, scale: Array) -> None:
    """Free scale → natural values (log for positive-only, logit for bounded) and d natural / d free."""
    for i in range(free.size):
        if math.isinf(high[i]):
            values[i] = low[i] + math.exp(free[i])
            scale[i] = values[i] - low[i]
        else:
            values[i] = low[i] + (high[i] - low[i]) / (1.0 + math.exp(-free[i]))
            scale[i] = (values[i] - low[i]) * (high[i] - values[i]) / (high[i] - low[i])


@numba.njit(cache=True, error_model="numpy")
def _par4(v: Array, pumps: Array, expl: Array, n_succ: Array, n_pump: Array, grad: Array) -> float:
    """−log-likelihood of bart_par4 and its gradient by (φ, η, γ, τ) into `grad`; NaN when undefined."""
    phi, eta, gamma, tau = v[0], v[1], v[2], v[3]
    total = 0.0
    for b in range(pumps.size):
        believed = phi + eta * n_succ[b]
        log_not_burst = math.log(believed) - math.log1p(eta * n_pump[b])
        omega = -gamma / log_not_burst
        d_omega_d_log = gamma / (log_not_burst * log_not_burst)
        d_log_d_eta = n_succ[b] / believed - n_pump[b] / (1.0 + eta * n_pump[b])
        res_sum = 0.0
        res_gap = 0.0  # Σ (ω − l)·residual
        for l_ in range(1, pumps[b] + 2 - expl[b]):
            sign = 1.0 if l_ <= pumps[b] else -1.0
            x = tau * (omega - l_)
            sp, residual = _bernoulli(sign, x)
            total += sp
            res_sum += residual
            res_gap += (omega - l_) * residual
        grad[0] -= tau * d_omega_d_log / believed * res_sum
        grad[1] -= tau * d_omega_d_log * d_log_d_eta * res_sum
        grad[2] -= tau * (-1.0 / log_not_burst) * res_sum
        grad[3] -= res_gap
    return total


@numba.njit(cache=True, error_model="numpy")
def _ewmv(v: Array, pumps: Array, expl: Array, n_succ: Array, n_pump: Array, grad: Array) -> float:
    """−log-likelihood of bart_ewmv and its gradient by (φ, η, ρ, τ, λ) into `grad`."""
    phi, eta, rho, tau, lam = v[0], v[1], v[2], v[3], v[4]
    total = 0.0
    for b in range(pumps.size):
        # Before any pump the observed burst rate is undefined: p stays at the prior φ (hBayesDM 1.2 fix).
        observed = (n_pump[b] - n_succ[b]) / n_pump[b] if n_pump[b] > 0 else phi
        decay = math.exp(-eta * n_pump[b])
        p = phi + (1.0 - decay) * (observed - phi)
        d_p_d_eta = n_pump[b] * decay * (observed - phi) if n_pump[b] > 0 else 0.0
        res_dudp = 0.0  # Σ (∂U/∂p)·residual
        for l_ in range(1, pumps[b] + 2 - expl[b]):
            sign = 1.0 if l_ <= pumps[b] else -1.0
            u_loss = l_ - 1.0
            spread = 1.0 + lam * u_loss
            var_term = p * (1.0 - p) * spread * spread
            u_pump = (1.0 - p) - lam * p * u_loss + rho * var_term
            sp, residual = _bernoulli(sign, tau * u_pump)
            total += sp
            res_dudp += (-1.0 - lam * u_loss + rho * (1.0 - 2.0 * p) * spread * spread) * residual
            grad[2] -= tau * var_term * residual
            grad[3] -= u_pump * residual
            grad[4] -= tau * (-p * u_loss + 2.0 * rho * p * (1.0 - p) * spread * u_loss) * residual
        grad[0] -= tau * decay * res_dudp
        grad[1] -= tau * d_p_d_eta * res_dudp
    return total


@numba.njit(cache=True, error_model="numpy", nogil=True)
def objective(model_id: int, free: Array, data: Data, grad: Array) -> float:
    """−(log-likelihood + log prior) on the free scale; its gradient into `grad`. WALL outside the domain.

    `data` is Problem.data(): (low, high, centres, SDs, pumps, explosions, n_succ, n_pump).
    """
    low, high, centers, sds, pumps, expl, n_succ, n_pump = data
    k = free.size
    grad[:] = 0.0
    for i in range(k):
        if not abs(free[i]) < FREE_LIMIT:
            return WALL
    values = np.empty(k)
    scale = np.empty(k)
    _natural(free, low, high, values, scale)
    if model_id == PAR4_ID:
        total = _par4(values, pumps, expl, n_succ, n_pump, grad)
    else:
        total = _ewmv(values, pumps, expl, n_succ, n_pump, grad)
    for i in range(k):
        z = (free[i] - centers[i]) / sds[i]
        total += 0.5 * z * z
        grad[i] = grad[i] * scale[i] + z / sds[i]
    if not math.isfinite(total):
        grad[:] = 0.0
        return WALL
    for i in range(k):
        if not math.isfinite(grad[i]):
            grad[:] = 0.0
            return WALL
    return total


@numba.njit(cache=True, error_model="numpy", nogil=True)
def bfgs(
    model_id: int, x0: Array, data: Data, gtol: float, max_iter: int, fixed: int, h0: Array
) -> tuple[Array, float, Array, bool, int]:
    """Minimise from x0. Returns (x, value, gradient, converged, iterations): it stops when the largest
    |gradient| is below gtol, when no step lowers the objective, or after max_iter iterations.

    `fixed` >= 0 holds that coordinate at x0's value (a profile likelihood, traits/profile.py): its
    gradient component is zeroed, so with a diagonal start every direction and BFGS update leaves it
    alone. −1 fixes nothing. `h0` (k × k) is a starting inverse Hessian, used as given (no rescaling
    after the first step); an empty (0 × 0) array means the identity. With `fixed`, its row and
    column for that coordinate must be zero off the diagonal.
    """
    k = x0.size
    x = x0.copy()
    g = np.empty(k)
    f = objective(model_id, x, data, g)
    if fixed >= 0:
        g[fixed] = 0.0
    if h0.shape[0] == k:
        h = h0.copy()
        first = False
    else:
        h = np.eye(k)
        first = True
    new_g = np.empty(k)
    direction = np.empty(k)
    iterations = 0
    while iterations < max_iter and np.max(np.abs(g)) >= gtol:
        for i in range(k):  # loops, not `@`: tiny products must not reach OpenBLAS and its threads
            acc = 0.0
            for j in range(k):
                acc -= h[i, j] * g[j]
            direction[i] = acc
        slope = 0.0
        for i in range(k):
            slope += g[i] * direction[i]
        if slope >= 0.0:  # lost positive definiteness numerically: restart from steepest descent
            h = np.eye(k)
            direction[:] = -g
            slope = -np.sum(g * g)
        step = min(1.0, 1.0 / math.sqrt(np.sum(direction * direction))) if first else 1.0
        accepted = False
        new_f = f
        new_x = x
        for _ in range(MAX_HALVINGS):
            new_x = x + step * direction
            new_f = objective(model_id, new_x, data, new_g)
            if fixed >= 0:
                new_g[fixed] = 0.0
            if new_f <= f + ARMIJO_C1 * step * slope:
                accepted = True
                break
            step *= 0.5
        if not accepted or new_f >= f:  # near the optimum rounding decides Armijo: as far as it goes
            break
        s = new_x - x
        y = new_g - g
        crawling = f - new_f < FTOL * max(1.0, abs(f))
        x, f = new_x, new_f
        g[:] = new_g
        iterations += 1
        if crawling:  # no progress beyond rounding: further steps would only creep
            break
        ys = np.sum(y * s)
        if ys > 1e-10:
            if first:  # scale the identity to the curvature just seen (yᵀs / yᵀy)
                h = np.eye(k) * (ys / np.sum(y * y))
                first = False
            rho = 1.0 / ys
            hy = np.empty(k)
            for i in range(k):
                acc = 0.0
                for j in range(k):
                    acc += h[i, j] * y[j]
                hy[i] = acc
            yhy = np.sum(y * hy)
            for i in range(k):
                for j in range(k):
                    h[i, j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
    return x, f, g, np.max(np.abs(g)) < gtol, iterations


@dataclass(frozen=True, slots=True)
class Result:
    x: np.ndarray  # free scale
    value: float  # −log posterior
    grad: np.ndarray
    converged: bool
    iterations: int


@dataclass(frozen=True, slots=True)
class Problem:
    """One participant's data and one model, as the compiled functions take them."""

    model_id: int
    low: np.ndarray
    high: np.ndarray
    centers: np.ndarray
    sds: np.ndarray
    pumps: np.ndarray
    expl: np.ndarray
    n_succ: np.ndarray
    n_pump: np.ndarray

    @classmethod
    def of(cls, model: Any, design: Any) -> Problem:
        """From a traits.bart_models Model and Design (duck-typed: this module imports no model code)."""
        params = model.params
        return cls(
            {"bart_par4": PAR4_ID, "bart_ewmv": EWMV_ID}[model.name],
            np.array([p.low for p in params], dtype=np.float64),
            np.array([p.high for p in params], dtype=np.float64),
            np.array([p.to_free(p.prior_center) for p in params], dtype=np.float64),
            np.array([p.prior_sd for p in params], dtype=np.float64),
            np.ascontiguousarray(design.pumps, dtype=np.int64),
            np.ascontiguousarray(design.explosion, dtype=np.int64),
            np.ascontiguousarray(design.n_succ_before, dtype=np.float64),
            np.ascontiguousarray(design.n_pump_before, dtype=np.float64),
        )

    def data(self) -> Data:
        return (self.low, self.high, self.centers, self.sds, self.pumps, self.expl, self.n_succ, self.n_pump)

    def value_and_gradient(self, free: np.ndarray) -> tuple[float, np.ndarray]:
        grad = np.empty(free.size)
        value = objective(self.model_id, np.asarray(free, dtype=np.float64), self.data(), grad)
        return float(value), grad

    def gradient(self, free: np.ndarray) -> np.ndarray:
        return self.value_and_gradient(free)[1]

    def values(self, xs: np.ndarray) -> np.ndarray:
        """−log posterior at many points (rows, free scale) in one compiled loop."""
        return objective_many(self.model_id, np.ascontiguousarray(xs, dtype=np.float64), self.data())

    def minimize(
        self,
        x0: np.ndarray,
        *,
        gtol: float = 1e-5,
        max_iter: int = 500,
        fixed: int = -1,
        inverse_hessian: np.ndarray | None = None,
    ) -> Result:
        """BFGS from x0; `fixed` names a coordinate held at its x0 value (−1: none); `inverse_hessian`
        a starting curvature (default: the identity, rescaled after the first step)."""
        h0 = _NO_H0 if inverse_hessian is None else np.ascontiguousarray(inverse_hessian, dtype=np.float64)
        x, value, grad, converged, iterations = bfgs(
            self.model_id, np.asarray(x0, dtype=np.float64), self.data(), gtol, max_iter, fixed, h0
        )
        return Result(x, float(value), grad, bool(converged), int(iterations))


@numba.njit(cache=True, error_model="numpy", nogil=True)
def objective_many(model_id: int, xs: Array, data: Data) -> Array:
    """−log posterior at each row of `xs` (free scale): the study-level fit's importance sampling."""
    out = np.empty(xs.shape[0])
    grad = np.empty(xs.shape[1])
    for r in range(xs.shape[0]):
        out[r] = objective(model_id, xs[r].copy(), data, grad)
    return out
