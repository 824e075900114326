"""Study-level (hierarchical) fits of bart_par4 and bart_ewmv by empirical Bayes (pure: numpy/numba, no Django).

hBayesDM fits these models hierarchically: each participant's parameters on an unconstrained scale
are drawn from a study population N(μ, σ²), sampled jointly by NUTS. Here the same hierarchy is
estimated by EM with a Laplace approximation (Huys et al. 2011; Daw 2011): alternately

- E-step: each participant's MAP θᵢ under the current population prior N(μ, diag σ²) -- the
  compiled per-session objective with the prior's centre and SD replaced by μ, σ -- and the
  curvature Hᵢ there, so that θᵢ's posterior is approximately N(θᵢ, Hᵢ⁻¹);
- M-step: μ, σ that maximise the approximate marginal likelihood plus hBayesDM's hyperpriors
  (σ ~ half-normal(0, 0.2) on its probit/log scales; μ weak), i.e. μ from the mean of the θᵢ and
  σ² from the mean of (θᵢ − μ)² + (Hᵢ⁻¹)ₖₖ;

until μ and log σ change by less than `TOL`. Each participant's shrunk estimate and 95 % interval
come from the last E-step. Why not NUTS: the benchmark (bench/reference.py, docs/validation.md)
measures this against hBayesDM's own Stan models on the same simulated studies: same estimates,
same interval coverage, in a small fraction of the time, so the task can refit a study each time
its sample grows.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from traits.bart_models import MODELS, Model, make_design, numerical_hessian

# Every stored study-level result records it; any change of a stored number is a major bump (docs/science.md).
HIERARCHICAL_VERSION = "bart-hierarchical/1.0.0"
# Fewer participants than this give no population to speak of: the task waits (docs/models.md).
MIN_PARTICIPANTS = 10
TOL = 1e-4
MAX_ITER = 300
# hBayesDM's hyperprior σ ~ half-normal(0, 0.2) is on a probit scale for bounded parameters; the
# platform's free scale is logit, and logit(p) ≈ 1.7·probit(p) (the Phi_approx slope), so 0.34 there.
SIGMA_PRIOR = {"log": 0.2, "logit": 0.34}
MU_PRIOR_SD = 2.0  # as weak as the per-session prior: it only keeps an unidentified mean finite
SIGMA_FLOOR = 1e-3  # σ → 0 would make the prior a wall; a parameter the data cannot tell sits here
# The reported posterior: importance sampling from a Student-t around the Laplace approximation.
IS_DRAWS = 2000
IS_DF = 5.0  # heavy tails, so that a posterior wider or more skewed than the Laplace curvature is still reached
IS_SCALE = 1.5  # the proposal's spread relative to the Laplace covariance
IS_SEED = 2026  # fixed: the same sample gives the same estimates and intervals
# Threads for the participants of one E-step (the compiled fit releases the GIL); the result is the
# same for any number, so this is a speed setting only.
THREADS = max(1, min(os.cpu_count() or 1, 8))


@dataclass(frozen=True, slots=True)
class Individual:
    estimates: dict[str, float]  # natural scale, posterior means under the population (shrunk toward it)
    intervals: dict[str, tuple[float, float] | None]  # central 95 % of the posterior under the population
    sd_free: dict[str, float | None]
    derived: dict[str, dict[str, float | None]]  # identified combinations (par4: omega), with intervals
    converged: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimates": self.estimates,
            "intervals": {k: list(v) if v else None for k, v in self.intervals.items()},
            "sd_free": self.sd_free,
            "derived": self.derived,
            "converged": self.converged,
        }


@dataclass(frozen=True, slots=True)
class StudyFit:
    model: str
    model_version: str
    version: str
    population: dict[str, dict[str, float]]  # per parameter: mu/sd on the free scale, median and 95 % range
    individuals: list[Individual]  # in the order of the sessions given
    iterations: int
    converged: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_version": self.model_version,
            "version": self.version,
            "population": self.population,
            "iterations": self.iterations,
            "converged": self.converged,
        }


def _scale_kind(model: Model) -> list[str]:
    return ["log" if math.isinf(p.high) else "logit" for p in model.params]


def _sigma_update(sum_sq: float, n: int, s0: float) -> float:
    """argmax of −n·ln σ − S/(2σ²) − σ²/(2·s0²): the positive root of σ⁴/s0² + n·σ² − S = 0."""
    c = s0 * s0
    sigma2 = 0.5 * c * (-n + math.sqrt(n * n + 4.0 * sum_sq / c))
    return max(math.sqrt(max(sigma2, 0.0)), SIGMA_FLOOR)


def _mu_update(total: float, n: int, sigma: float, centre: float) -> float:
    """Posterior mode of μ under N(centre, MU_PRIOR_SD²) given n MAPs summing to `total`."""
    w_data, w_prior = n / (sigma * sigma), 1.0 / (MU_PRIOR_SD * MU_PRIOR_SD)
    return (w_data * total / n + w_prior * centre) / (w_data + w_prior)


def _covariance(problem: Any, x: np.ndarray) -> np.ndarray | None:
    hessian = numerical_hessian(problem.gradient, x)
    try:
        if not np.all(np.linalg.eigvalsh(hessian) > 0):
            return None
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return None
    return cov if np.all(np.isfinite(cov)) else None


def _par4_omega(model: Model, x: np.ndarray, cov: np.ndarray | None) -> dict[str, float | None]:
    """ω₀ = −γ / ln φ (the first balloon's target pumps) and its 95 % interval by the delta method on ln ω₀.

    φ and γ trade off against each other within one session; their ratio is what the data pin down.
    """
    i_phi, i_gamma = 0, 2
    phi = model.params[i_phi].to_natural(float(x[i_phi]))
    gamma = model.params[i_gamma].to_natural(float(x[i_gamma]))
    omega = -gamma / math.log(phi)
    if cov is None:
        return {"estimate": omega, "low": None, "high": None}
    # ln ω₀ = ln γ − ln(−ln φ); with φ = logistic(x): d/dx ln(−ln φ) = −(1 − φ)/(−ln φ).
    grad = np.zeros(x.size)
    grad[i_gamma] = 1.0
    grad[i_phi] = (1.0 - phi) / (-math.log(phi))
    se = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    return {"estimate": omega, "low": omega * math.exp(-1.96 * se), "high": omega * math.exp(1.96 * se)}


def ewmv_stop_point(phi: float, rho: float, lam: float) -> float:
    """The opportunity l* at which U_pump = 0 under the first balloon's belief p = φ (math.inf: never).

    With v = 1 + λ·(l − 1): U_pump = ρ·p·(1 − p)·v² − p·v + 1, so v* is the smaller positive root; ρ and λ
    trade off within one session, the point where pumping stops being worth it is what the data pin down.
    """
    a = rho * phi * (1.0 - phi)
    if abs(a) < 1e-12:
        v = 1.0 / phi
    else:
        disc = phi * phi - 4.0 * a
        if disc < 0:
            return math.inf
        v = (phi - math.sqrt(disc)) / (2.0 * a)
    return 1.0 + (v - 1.0) / lam


def _ewmv_stop(model: Model, x: np.ndarray, cov: np.ndarray | None) -> dict[str, float | None]:
    """l* (ewmv_stop_point) and its 95 % interval by the delta method on ln l*, gradient by central differences."""

    def log_stop(free: np.ndarray) -> float:
        phi, _, rho, _, lam = (p.to_natural(float(v)) for p, v in zip(model.params, free, strict=True))
        value = ewmv_stop_point(phi, rho, lam)
        return math.log(value) if 0 < value < math.inf else math.nan

    centre = log_stop(x)
    if not math.isfinite(centre):
        return {"estimate": None, "low": None, "high": None}
    estimate = math.exp(centre)
    if cov is None:
        return {"estimate": estimate, "low": None, "high": None}
    grad = np.zeros(x.size)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = 1e-5
        grad[i] = (log_stop(x + step) - log_stop(x - step)) / 2e-5
    if not np.all(np.isfinite(grad)):
        return {"estimate": estimate, "low": None, "high": None}
    se = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    return {"estimate": estimate, "low": estimate * math.exp(-1.96 * se), "high": estimate * math.exp(1.96 * se)}


def derived_quantities(model: Model | str, x: np.ndarray, cov: np.ndarray | None) -> dict[str, dict[str, float | None]]:
    """The identified combinations of a model's parameters, with intervals (free-scale x and covariance)."""
    model = MODELS[model] if isinstance(model, str) else model
    if model.name == "bart_par4":
        return {"omega": _par4_omega(model, x, cov)}
    return {"stop_point": _ewmv_stop(model, x, cov)}


def _derived_draws(model: Model, natural: np.ndarray) -> dict[str, np.ndarray]:
    """The identified combinations at each draw (natural-scale rows in the model's parameter order)."""
    if model.name == "bart_par4":
        return {"omega": -natural[:, 2] / np.log(natural[:, 0])}
    stops = np.array([ewmv_stop_point(float(r[0]), float(r[2]), float(r[4])) for r in natural])
    return {"stop_point": stops}


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    return [float(values[order][min(int(np.searchsorted(cumulative, q)), values.size - 1)]) for q in qs]


def _sampled(
    model: Model, problem: Any, x: np.ndarray, cov: np.ndarray, rng: np.random.Generator, converged: bool
) -> Individual | None:
    """Posterior means and central 95 % intervals by self-normalised importance sampling.

    The Laplace approximation N(x̂, H⁻¹) is symmetric on the free scale; a posterior skewed by few
    informative decisions is not, and its intervals came out too narrow in simulation (docs/validation.md).
    Draws from a multivariate Student-t (IS_DF degrees of freedom, covariance IS_SCALE²·H⁻¹) are
    weighted by posterior / proposal; None when the weights degenerate (effective sample < 100).
    """
    k = x.size
    try:
        chol = np.linalg.cholesky(cov * IS_SCALE * IS_SCALE)
    except np.linalg.LinAlgError:
        return None
    z = rng.standard_normal((IS_DRAWS, k))
    chi = rng.chisquare(IS_DF, IS_DRAWS) / IS_DF
    draws = x + (z @ chol.T) / np.sqrt(chi)[:, None]
    neg_log_post = problem.values(draws)
    # log density of the t proposal up to a constant: −(ν + k)/2 · ln(1 + δ²/ν), δ² the Mahalanobis distance
    solved = np.linalg.solve(chol, (draws - x).T)
    log_q = -0.5 * (IS_DF + k) * np.log1p(np.sum(solved * solved, axis=0) / IS_DF)
    log_w = -neg_log_post - log_q
    log_w[neg_log_post >= 1e11] = -np.inf  # outside the domain (the objective's wall)
    log_w -= np.max(log_w)
    w = np.exp(log_w)
    w /= w.sum()
    if 1.0 / float(np.sum(w * w)) < 100:
        return None
    natural = np.column_stack(
        [np.array([p.to_natural(float(v)) for v in draws[:, j]]) for j, p in enumerate(model.params)]
    )
    estimates, intervals, sds = {}, {}, {}
    for j, p in enumerate(model.params):
        estimates[p.name] = float(np.sum(w * natural[:, j]))
        lo, hi = _weighted_quantiles(natural[:, j], w, (0.025, 0.975))
        intervals[p.name] = (lo, hi)
        mean_free = float(np.sum(w * draws[:, j]))
        sds[p.name] = math.sqrt(max(float(np.sum(w * (draws[:, j] - mean_free) ** 2)), 0.0))
    derived: dict[str, dict[str, float | None]] = {}
    for name, values in _derived_draws(model, natural).items():
        finite = np.isfinite(values)
        if w[~finite].sum() > 0.025:  # more than the tail beyond the interval is "never stops"
            derived[name] = {"estimate": None, "low": None, "high": None}
            continue
        v, ww = values[finite], w[finite] / w[finite].sum()
        lo, hi = _weighted_quantiles(v, ww, (0.025, 0.975))
        derived[name] = {"estimate": float(np.sum(ww * v)), "low": lo, "high": hi}
    return Individual(estimates, intervals, sds, derived, converged)


def _individual(model: Model, x: np.ndarray, cov: np.ndarray | None, converged: bool) -> Individual:
    estimates, intervals, sds = {}, {}, {}
    for i, p in enumerate(model.params):
        estimates[p.name] = p.to_natural(float(x[i]))
        if cov is not None and cov[i, i] > 0:
            se = math.sqrt(float(cov[i, i]))
            sds[p.name] = se
            intervals[p.name] = (p.to_natural(float(x[i]) - 1.96 * se), p.to_natural(float(x[i]) + 1.96 * se))
        else:
            sds[p.name], intervals[p.name] = None, None
    return Individual(estimates, intervals, sds, derived_quantities(model, x, cov), converged)


def fit_study(
    model: Model | str,
    sessions: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    tol: float = TOL,
    max_iter: int = MAX_ITER,
    sigma_prior: dict[str, float] | None = None,
    threads: int | None = None,
) -> StudyFit:
    """The study's population and each participant's shrunk estimate; `sessions` are (pumps, explosion) pairs."""
    model = MODELS[model] if isinstance(model, str) else model
    if len(sessions) < 2:
        raise ValueError("a population needs at least two participants")
    from traits import fitting  # numba: loaded only by processes that fit (see bart_models.fit_model)

    base = [fitting.Problem.of(model, make_design(p, e)) for p, e in sessions]
    sigma_scale = SIGMA_PRIOR if sigma_prior is None else sigma_prior
    pool = ThreadPoolExecutor(max_workers=threads or THREADS)
    try:
        return _fit(model, base, pool, tol, max_iter, sigma_scale)
    finally:
        pool.shutdown()


def _fit(
    model: Model, base: list[Any], pool: ThreadPoolExecutor, tol: float, max_iter: int, sigma_scale: dict[str, float]
) -> StudyFit:
    n, k = len(base), len(model.params)
    kinds = _scale_kind(model)
    centres = base[0].centers.copy()
    starts = [np.array([p.to_free(v) for p, v in zip(model.params, start, strict=True)]) for start in model.starts]

    def own_map(i: int) -> np.ndarray:
        results = [base[i].minimize(start) for start in starts]
        return min(results, key=lambda r: (r.value, tuple(np.round(r.x, 12)))).x

    # Start from each participant's own MAP under the weak per-session prior, from every start, so a
    # participant whose likelihood has several optima (EWMV's plateau) starts at the best of them.
    x = np.array(list(pool.map(own_map, range(n))))
    mu = x.mean(axis=0)
    sigma = np.maximum(x.std(axis=0), 0.1)
    iterations, converged = 0, False

    def e_step(i: int) -> tuple[np.ndarray, np.ndarray]:
        # Reads the current mu, sigma and x of the loop below (rebound after each M-step).
        prior = dataclasses.replace(base[i], centers=mu.copy(), sds=sigma.copy())
        result = prior.minimize(x[i])
        cov = _covariance(prior, result.x)
        # A participant without a usable curvature contributes the prior's own spread (no information).
        return result.x, np.diag(cov) if cov is not None else sigma**2

    while iterations < max_iter:
        iterations += 1
        # Participants are independent given the population: the compiled fit releases the GIL, so
        # they run on all cores; each one's numbers do not depend on the thread it ran on.
        steps = list(pool.map(e_step, range(n)))
        x = np.array([s[0] for s in steps])
        variances = np.array([s[1] for s in steps])
        new_mu = np.array([_mu_update(float(x[:, j].sum()), n, float(sigma[j]), float(centres[j])) for j in range(k)])
        sum_sq = ((x - new_mu) ** 2 + variances).sum(axis=0)
        new_sigma = np.array([_sigma_update(float(sum_sq[j]), n, sigma_scale[kinds[j]]) for j in range(k)])
        change = max(float(np.max(np.abs(new_mu - mu))), float(np.max(np.abs(np.log(new_sigma) - np.log(sigma)))))
        mu, sigma = new_mu, new_sigma
        if change < tol:
            converged = True
            break

    # One last E-step under the final population, so the estimates and intervals belong to it; the
    # posterior reported is importance-sampled around it (_sampled), Laplace only where that fails.
    def final(i: int) -> Individual:
        prior = dataclasses.replace(base[i], centers=mu.copy(), sds=sigma.copy())
        result = prior.minimize(x[i])
        cov = _covariance(prior, result.x)
        good = cov is not None and (result.converged or float(np.max(np.abs(result.grad))) < 1e-3)
        sampled = None
        if cov is not None:
            sampled = _sampled(model, prior, result.x, cov, np.random.default_rng([IS_SEED, i]), good)
        return sampled or _individual(model, result.x, cov, good)

    individuals = list(pool.map(final, range(n)))
    population = {
        p.name: {
            "mu_free": float(mu[j]),
            "sd_free": float(sigma[j]),
            "median": p.to_natural(float(mu[j])),
            "low": p.to_natural(float(mu[j] - 1.96 * sigma[j])),
            "high": p.to_natural(float(mu[j] + 1.96 * sigma[j])),
            "n": n,
        }
        for j, p in enumerate(model.params)
    }
    return StudyFit(model.name, model.version, HIERARCHICAL_VERSION, population, individuals, iterations, converged)
