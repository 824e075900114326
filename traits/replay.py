"""Model-based replays: what the session's fitted four-parameter agent would do on fresh balloons (pure).

A learner's session carries a memory that runs its whole length: what the first pops taught them
shapes every later balloon (par4's belief is updated from all earlier pumps). Resampling runs of
balloons from one session cannot show how differently the same person could have gone on had the
first pops come elsewhere. Replaying the fitted agent can: each replay draws a fresh array-method
schedule (explosion points uniform on 1…capacity, Lejuez et al. 2002) and lets the agent learn
from it, exactly as the model says (Wallsten, Pleskac & Lejuez 2005; the equations of hBayesDM's
`bart_par4`, docs/models.md). The spread of an indicator over the replays is its model-based
sampling spread; mapping.py widens the block-bootstrap interval to cover it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

REPLAYS = 200


def par4_replays(
    estimates: Mapping[str, float], n: int, capacity: int, rng: np.random.Generator, replays: int = REPLAYS
) -> tuple[Any, Any]:
    """(pumps, collected) of `replays` simulated sessions of n balloons, each a (replays × n) array.

    All replays advance together, balloon by balloon; at each pump opportunity l the agent pumps
    with probability logistic(τ·(ω − l)), ω = −γ / ln(1 − p_burst), its belief
    p_burst = 1 − (φ + η·n_succ) / (1 + η·n_pump) from the earlier balloons of its own replay. A
    balloon ends at the first "stop" (collected) or pops at its explosion point.
    """
    phi, eta, gamma, tau = (float(estimates[k]) for k in ("phi", "eta", "gamma", "tau"))
    l_ = np.arange(1, capacity + 1, dtype=np.float64)
    n_succ = np.zeros(replays)
    n_pump = np.zeros(replays)
    pumps = np.zeros((replays, n))
    collected = np.zeros((replays, n))
    for i in range(n):
        point = rng.integers(1, capacity + 1, size=replays)
        p_burst = np.clip(1.0 - (phi + eta * n_succ) / (1.0 + eta * n_pump), 1e-12, 1.0 - 1e-12)
        omega = -gamma / np.log1p(-p_burst)
        # 0.5·(1 + tanh(x/2)) is the logistic function without overflow for large |x|.
        prob = 0.5 * (1.0 + np.tanh(0.5 * tau * (omega[:, None] - l_[None, :])))
        pumped = rng.random((replays, capacity)) < prob
        first_stop = np.where(pumped.all(axis=1), capacity, np.argmin(pumped, axis=1))
        popped = first_stop >= point
        count = np.where(popped, point, first_stop).astype(np.float64)
        pumps[:, i] = count
        collected[:, i] = ~popped
        n_pump += count
        n_succ += count - popped
    return pumps, collected
