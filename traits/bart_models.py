"""Computational models of the Balloon task, fitted per participant (pure: numpy and numba, no Django).

`bart_par4` (Wallsten, Pleskac & Lejuez 2005; van Ravenzwaaij et al. 2011) and `bart_ewmv` (Park,
Yang, Vassileva & Ahn 2021), with the likelihoods exactly as hBayesDM (CCS-Lab) specifies them.
Data per balloon: pumps (including the fatal pump) and explosion (0/1), in play order. Each
balloon gives the decisions l = 1 … pumps + 1 − explosion, d = 1 (pump) when l ≤ pumps, else 0.

Fitting is MAP with weak priors on an unconstrained scale (logit/log, so the natural bounds always
hold), by BFGS with the analytic gradient (compiled: traits/fitting.py; this module is the numpy
reference it is tested against), from a fixed grid of starts (so the same data give bit-identical
estimates), with the uncertainty from the numerical Hessian there. Log-likelihood,
AIC and BIC are reported from the likelihood alone (prior excluded).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from traits.profile import profile_intervals

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class Design:
    """The decisions of one participant, long format (one row per pump opportunity)."""

    pumps: Array  # per balloon
    explosion: Array  # per balloon, 0/1
    n_succ_before: Array  # per balloon: successful pumps on earlier balloons
    n_pump_before: Array  # per balloon: all pumps on earlier balloons
    trial: Array  # per decision: its balloon
    l: Array  # noqa: E741 (the papers call it l) per decision: opportunity number 1, 2, …
    d: Array  # per decision: 1 pump, 0 stop

    @property
    def n_decisions(self) -> int:
        return int(self.d.size)


def make_design(pumps: Sequence[int], explosion: Sequence[int]) -> Design:
    p = np.asarray(pumps, dtype=np.int64)
    e = np.asarray(explosion, dtype=np.int64)
    if p.shape != e.shape or p.ndim != 1:
        raise ValueError("pumps and explosion must be 1-D and of equal length")
    if np.any(p < 0) or np.any((e != 0) & (e != 1)) or np.any((e == 1) & (p < 1)):
        raise ValueError("pumps must be >= 0, explosion 0/1, and a popped balloon has at least one pump")
    n_opp = p + 1 - e
    trial = np.repeat(np.arange(p.size), n_opp)
    starts = np.repeat(np.cumsum(n_opp) - n_opp, n_opp)
    l_ = np.arange(int(n_opp.sum())) - starts + 1
    d = (l_ <= p[trial]).astype(np.float64)
    succ = p - e
    return Design(
        p,
        e,
        np.concatenate(([0], np.cumsum(succ)[:-1])).astype(np.float64),
        np.concatenate(([0], np.cumsum(p)[:-1])).astype(np.float64),
        trial,
        l_.astype(np.float64),
        d,
    )


def _log_bernoulli_logit(d: Array, x: Array) -> Array:
    """log P(d | logit x) = log σ((2d − 1)·x), stable for large |x| (one softplus)."""
    return -np.logaddexp(0.0, -(2.0 * d - 1.0) * x)


def par4_logits(design: Design, phi: float, eta: float, gamma: float, tau: float) -> Array:
    """τ·(ω − l) per decision, with p_burst = 1 − (φ + η·n_succ)/(1 + η·n_pump), ω = −γ / ln(1 − p_burst)."""
    return par4_logits_jacobian(design, phi, eta, gamma, tau, jacobian=False)[0]


def par4_logits_jacobian(
    design: Design, phi: float, eta: float, gamma: float, tau: float, jacobian: bool = True
) -> tuple[Array, Array | None]:
    """The logits and, when asked, their derivatives by (φ, η, γ, τ), one row per parameter."""
    believed = phi + eta * design.n_succ_before
    log_not_burst = np.log(believed) - np.log1p(eta * design.n_pump_before)  # ln(1 − p_burst) < 0
    omega = -gamma / log_not_burst
    t = design.trial
    x = tau * (omega[t] - design.l)
    if not jacobian:
        return x, None
    d_omega_d_log = gamma / log_not_burst**2
    d_log_d_eta = design.n_succ_before / believed - design.n_pump_before / (1.0 + eta * design.n_pump_before)
    jac = np.stack(
        [
            tau * (d_omega_d_log / believed)[t],
            tau * (d_omega_d_log * d_log_d_eta)[t],
            tau * (-1.0 / log_not_burst)[t],
            omega[t] - design.l,
        ]
    )
    return x, jac


def ewmv_logits(design: Design, phi: float, eta: float, rho: float, tau: float, lam: float) -> Array:
    """τ·U_pump per decision (U_stop = 0), with the belief p updated after each balloon."""
    return ewmv_logits_jacobian(design, phi, eta, rho, tau, lam, jacobian=False)[0]


def ewmv_logits_jacobian(
    design: Design, phi: float, eta: float, rho: float, tau: float, lam: float, jacobian: bool = True
) -> tuple[Array, Array | None]:
    """The logits and, when asked, their derivatives by (φ, η, ρ, τ, λ), one row per parameter."""
    n_pump, n_succ = design.n_pump_before, design.n_succ_before
    # Before any pump the observed burst rate is undefined: p stays at the prior φ (hBayesDM 1.2 fix).
    safe = np.where(n_pump > 0, n_pump, 1.0)
    observed = np.where(n_pump > 0, (n_pump - n_succ) / safe, phi)
    decay = np.exp(-eta * n_pump)
    p = phi + (1.0 - decay) * (observed - phi)
    t = design.trial
    p_d = p[t]
    u_gain, u_loss = 1.0, design.l - 1.0
    spread = u_gain + lam * u_loss
    u_pump = (1.0 - p_d) * u_gain - lam * p_d * u_loss + rho * p_d * (1.0 - p_d) * spread**2
    x = tau * u_pump
    if not jacobian:
        return x, None
    # p depends on φ only through the prior's weight e^(−η·n) (the observed rate does not move with φ).
    d_u_d_p = -u_gain - lam * u_loss + rho * (1.0 - 2.0 * p_d) * spread**2
    d_p_d_phi = decay[t]
    d_p_d_eta = (n_pump * decay * np.where(n_pump > 0, observed - phi, 0.0))[t]
    jac = np.stack(
        [
            tau * d_u_d_p * d_p_d_phi,
            tau * d_u_d_p * d_p_d_eta,
            tau * p_d * (1.0 - p_d) * spread**2,
            u_pump,
            tau * (-p_d * u_loss + 2.0 * rho * p_d * (1.0 - p_d) * spread * u_loss),
        ]
    )
    return x, jac


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    low: float  # open natural-scale bounds; None-like infinities for a positive-only parameter
    high: float
    prior_center: float  # natural scale: the weak prior is normal on the unconstrained scale around it
    prior_sd: float = 2.0

    def to_free(self, value: float) -> float:
        if math.isinf(self.high):
            return math.log(value - self.low)
        u = (value - self.low) / (self.high - self.low)
        return math.log(u / (1.0 - u))

    def d_natural_d_free(self, value: float) -> float:
        if math.isinf(self.high):
            return value - self.low
        return (value - self.low) * (self.high - value) / (self.high - self.low)

    def to_natural(self, free: float) -> float:
        if math.isinf(self.high):
            return self.low + math.exp(free)
        return self.low + (self.high - self.low) / (1.0 + math.exp(-free))


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    version: str
    params: tuple[Param, ...]
    logits: Callable[..., Array]
    logits_jacobian: Callable[..., tuple[Array, Array | None]]
    starts: tuple[tuple[float, ...], ...]  # natural scale; a fixed grid keeps fits reproducible

    def log_likelihood(self, design: Design, values: Sequence[float]) -> float:
        x = self.logits(design, *values)
        if not np.all(np.isfinite(x)):
            return -math.inf
        return float(np.sum(_log_bernoulli_logit(design.d, x)))


POS = math.inf
PAR4 = Model(
    name="bart_par4",
    version="bart_par4/2.0.0",
    params=(
        Param("phi", 0.0, 1.0, 0.9),
        Param("eta", 0.0, POS, 0.01),
        Param("gamma", 0.0, POS, 1.0),
        Param("tau", 0.0, POS, 1.0),
    ),
    logits=par4_logits,
    logits_jacobian=par4_logits_jacobian,
    starts=(
        (0.9, 0.01, 1.0, 1.0),
        (0.99, 0.001, 0.5, 0.3),
        (0.7, 0.1, 2.0, 3.0),
        (0.95, 1.0, 1.0, 0.1),
        (0.5, 0.05, 0.3, 1.0),
    ),
)
EWMV = Model(
    name="bart_ewmv",
    version="bart_ewmv/2.0.0",
    params=(
        Param("phi", 0.0, 1.0, 0.1),
        Param("eta", 0.0, 1.0, 0.5),
        Param("rho", -0.5, 0.5, 0.0),
        Param("tau", 0.0, POS, 5.0),
        Param("lambda", 0.0, POS, 1.0),
    ),
    logits=ewmv_logits,
    logits_jacobian=ewmv_logits_jacobian,
    starts=(
        (0.1, 0.5, 0.0, 5.0, 1.0),
        (0.02, 0.1, 0.2, 10.0, 0.5),
        (0.3, 0.9, -0.2, 2.0, 2.0),
        (0.05, 0.3, 0.4, 20.0, 0.2),
        (0.2, 0.05, -0.4, 1.0, 5.0),
        # Added in 1.1.0: small learning rates. The likelihood has a plateau where η is large (the prior
        # belief is forgotten after one balloon) and starts that reach it stay there; these start on
        # the other side (docs/models.md, "Fitting").
        (0.1, 0.02, 0.0, 5.0, 1.0),
        (0.05, 0.005, 0.1, 15.0, 0.7),
        (0.2, 0.2, -0.1, 3.0, 1.5),
    ),
)
MODELS: dict[str, Model] = {m.name: m for m in (PAR4, EWMV)}
# A free-scale value beyond this means the data did not pin the parameter down (reported in at_bound).
FREE_BOUND = 12.0


@dataclass(frozen=True, slots=True)
class Fit:
    model: str
    version: str
    estimates: dict[str, float]
    intervals: dict[str, tuple[float, float] | None]  # 95 % profile likelihood (traits/profile.py), natural scale
    standard_errors_free: dict[str, float | None]
    log_likelihood: float
    log_posterior: float
    aic: float
    bic: float
    n_decisions: int
    n_balloons: int
    converged: bool
    at_bound: list[str]
    starts_agreeing: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "version": self.version,
            "estimates": self.estimates,
            "intervals": {k: list(v) if v else None for k, v in self.intervals.items()},
            "standard_errors_free": self.standard_errors_free,
            "log_likelihood": self.log_likelihood,
            "log_posterior": self.log_posterior,
            "aic": self.aic,
            "bic": self.bic,
            "n_decisions": self.n_decisions,
            "n_balloons": self.n_balloons,
            "converged": self.converged,
            "at_bound": self.at_bound,
            "starts_agreeing": self.starts_agreeing,
        }


def _neg_log_posterior(model: Model, design: Design, free: Array) -> tuple[float, Array]:
    """−(log-likelihood + log prior) on the free scale, with its gradient (analytic, chain rule).

    The vectorised reference: fits run the compiled equivalent in traits/fitting.py, which
    tests/traits/test_fitting.py holds equal to this.
    """
    if not np.all(np.abs(free) < 30.0):  # a line-search probe far out: a wall, not an overflow
        return 1e12, np.zeros_like(free)
    values = [p.to_natural(float(f)) for p, f in zip(model.params, free, strict=True)]
    x, jac = model.logits_jacobian(design, *values)
    centers = np.array([p.to_free(p.prior_center) for p in model.params])
    sds = np.array([p.prior_sd for p in model.params])
    if not np.all(np.isfinite(x)) or jac is None or not np.all(np.isfinite(jac)):
        return 1e12, np.zeros_like(free)
    ll = float(np.sum(_log_bernoulli_logit(design.d, x)))
    residual = design.d - 0.5 * (1.0 + np.tanh(0.5 * x))  # d − σ(x): the score of a Bernoulli logit
    scale = np.array([p.d_natural_d_free(v) for p, v in zip(model.params, values, strict=True)])
    # Elementwise product and sum, not `jac @ residual`: a BLAS call here let OpenBLAS start threads
    # that, on a busy machine, made each fit 20 to 50 times slower.
    grad_ll = (jac * residual).sum(axis=1) * scale
    z = (free - centers) / sds
    return -ll + 0.5 * float(z @ z), -grad_ll + z / sds


def numerical_hessian(gradient: Callable[[Array], Array], x: Array, step: float = 1e-4) -> Array:
    """Central differences of the analytic gradient, symmetrised; `step` is on the free scale."""
    k = x.size
    h = np.zeros((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = step
        h[i] = (gradient(x + e) - gradient(x - e)) / (2 * step)
    return (h + h.T) / 2


def fit_model(model: Model | str, pumps: Sequence[int], explosion: Sequence[int]) -> Fit:
    """MAP estimate from every start; the best is kept, with how many starts reached it."""
    model = MODELS[model] if isinstance(model, str) else model
    design = make_design(pumps, explosion)
    if design.pumps.size == 0:
        raise ValueError("no finished balloon to fit")
    # Imported here, not at the top: numba loads LLVM (tens of MB), which processes that only read the
    # models' versions (the web process, exports) should not pay for.
    from traits import fitting

    problem = fitting.Problem.of(model, design)
    results = [
        problem.minimize(np.array([p.to_free(v) for p, v in zip(model.params, start, strict=True)]))
        for start in model.starts
    ]
    best = min(results, key=lambda r: (r.value, tuple(np.round(r.x, 12))))
    agreeing = sum(1 for r in results if abs(r.value - best.value) < 1e-3)
    x = best.x
    names = [p.name for p in model.params]
    at_bound = [n for n, v in zip(names, x, strict=True) if abs(v) > FREE_BOUND - 1e-3]
    # The optimiser may stop on rounding right at the optimum: a vanishing gradient is what counts.
    gradient_small = best.converged or float(np.max(np.abs(best.grad))) < 1e-3
    hessian = numerical_hessian(problem.gradient, x)
    intervals: dict[str, tuple[float, float] | None] = {}
    ses: dict[str, float | None] = {}
    pd_ok = False
    try:
        cov = np.linalg.inv(hessian)
        pd_ok = bool(np.all(np.isfinite(cov)) and np.all(np.linalg.eigvalsh(hessian) > 0))
    except np.linalg.LinAlgError:
        cov = None
    for i, p in enumerate(model.params):
        ok = cov is not None and pd_ok and cov[i, i] > 0
        ses[p.name] = math.sqrt(float(cov[i, i])) if ok else None
    # Since 2.0.0 the interval follows the profile of the log posterior, not its curvature at the
    # optimum: the Wald interval covered too rarely in simulation (docs/validation.md). Mapped back to
    # the natural scale, so it respects the bounds; the Hessian SEs stay as the local precision.
    ends = profile_intervals(problem, x, float(best.value), cov if pd_ok else None, FREE_BOUND)
    for (low, high), p in zip(ends, model.params, strict=True):
        intervals[p.name] = (p.to_natural(low), p.to_natural(high))
    estimates = {p.name: p.to_natural(float(v)) for p, v in zip(model.params, x, strict=True)}
    ll = model.log_likelihood(design, list(estimates.values()))
    k, n = len(model.params), design.n_decisions
    return Fit(
        model=model.name,
        version=model.version,
        estimates=estimates,
        intervals=intervals,
        standard_errors_free=ses,
        log_likelihood=ll,
        log_posterior=-best.value,
        aic=2 * k - 2 * ll,
        bic=k * math.log(n) - 2 * ll,
        n_decisions=n,
        n_balloons=int(design.pumps.size),
        converged=gradient_small and pd_ok and not at_bound,
        at_bound=at_bound,
        starts_agreeing=agreeing,
    )
