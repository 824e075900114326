"""A reference sampler for section 5: adaptive random-walk Metropolis on the same log posterior (pure).

Written here with numpy rather than pulling emcee in as a dependency for one figure: the point
is a sampler-based fit of the *same* likelihood and prior (traits.fitting, the compiled equivalent of
traits.bart_models._neg_log_posterior) to set the MAP fit's speed and estimates against.
Adaptation follows Haario, Saksman & Tamminen (2001): after a warm-up the proposal covariance is
the running sample covariance * 2.38^2 / d.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray


def metropolis(
    log_post: Callable[[Array], float],
    start: Array,
    *,
    iterations: int = 6000,
    burn_in: int = 2000,
    seed: int = 0,
    initial_scale: float = 0.1,
) -> tuple[Array, float]:
    """The chain after burn-in (shape: iterations - burn_in, dim) and the acceptance rate."""
    rng = np.random.default_rng(seed)
    dim = start.size
    x = np.array(start, dtype=float)
    lp = log_post(x)
    chain = np.empty((iterations, dim))
    cov = np.eye(dim) * initial_scale**2
    accepted = 0
    scale = 2.38**2 / dim
    for i in range(iterations):
        if i >= 500 and i % 100 == 0:
            cov = np.cov(chain[i // 2 : i].T) * scale + np.eye(dim) * 1e-8
        proposal = rng.multivariate_normal(x, cov)
        lp_new = log_post(proposal)
        if np.log(rng.random()) < lp_new - lp:
            x, lp = proposal, lp_new
            accepted += 1
        chain[i] = x
    return chain[burn_in:], accepted / iterations
