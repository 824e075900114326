"""The reference sampler recovers a known posterior (so its figures compare like with like)."""

import numpy as np

from bench.mcmc import metropolis


def test_metropolis_recovers_the_mean_and_spread_of_a_gaussian():
    mean = np.array([1.0, -2.0])
    sd = np.array([0.5, 2.0])

    def log_post(x: np.ndarray) -> float:
        return float(-0.5 * np.sum(((x - mean) / sd) ** 2))

    chain, acceptance = metropolis(log_post, np.zeros(2), iterations=8000, burn_in=2000, seed=3)
    assert chain.shape == (6000, 2)
    assert 0.1 < acceptance < 0.7
    assert np.allclose(chain.mean(axis=0), mean, atol=0.25)
    assert np.allclose(chain.std(axis=0), sd, rtol=0.25)
