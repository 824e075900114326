"""The circular block bootstrap: runs of consecutive balloons, every balloon equally likely, seeded."""

from __future__ import annotations

import numpy as np

from traits.intervals import block_counts, block_length, weighted_partial_slope, weighted_slope


def test_block_length_grows_as_the_cube_root_of_the_session():
    assert [block_length(n) for n in (1, 8, 27, 29, 30, 90)] == [1, 2, 3, 4, 4, 5]


def test_each_resample_draws_n_units_in_runs_that_wrap_around():
    counts = block_counts(10, 500, np.random.default_rng(1), length=3)
    assert counts.shape == (500, 10) and (counts.sum(axis=1) == 10).all()
    # Wrapping makes the first and last balloon as likely as the middle ones (plain moving blocks would not).
    share = counts.mean(axis=0)
    assert np.allclose(share, 1.0, atol=0.12)
    assert np.array_equal(block_counts(10, 5, np.random.default_rng(2)), block_counts(10, 5, np.random.default_rng(2)))


def test_length_one_is_the_ordinary_bootstrap():
    counts = block_counts(30, 2000, np.random.default_rng(3), length=1)
    assert counts.var(axis=0).mean() == np.float64(counts.var(axis=0).mean())
    assert abs(counts.var(axis=0).mean() - (1 - 1 / 30)) < 0.08  # multinomial counts


def test_weighted_slopes_equal_ordinary_least_squares_with_unit_weights():
    rng = np.random.default_rng(4)
    t = np.arange(20.0)
    e = (rng.random(20) < 0.4).astype(float)
    y = 3 + 0.5 * t + 4 * e + rng.normal(0, 1, 20)
    ones = np.ones((1, 20))
    assert np.isclose(weighted_slope(ones, t, y)[0], np.polyfit(t, y, 1)[0])
    design = np.column_stack([np.ones(20), t, e])
    assert np.isclose(weighted_partial_slope(ones, t, e, y)[0], np.linalg.lstsq(design, y, rcond=None)[0][2])


def test_the_model_replays_play_the_same_agent_as_the_simulator():
    from traits.replay import par4_replays
    from traits.simulate import simulate_choices, uniform_schedule

    values = {"phi": 0.95, "eta": 0.01, "gamma": 1.0, "tau": 0.5}
    pumps, collected = par4_replays(values, 30, 128, np.random.default_rng(9), replays=400)
    rng = np.random.default_rng(10)
    sims = [
        simulate_choices("bart_par4", list(values.values()), uniform_schedule(30, 128, rng), rng) for _ in range(400)
    ]
    sim_pumps = np.array([[p for p, _ in s] for s in sims], dtype=float)
    sim_popped = np.array([[e for _, e in s] for s in sims], dtype=float)
    # Same model, independent draws: the balloon-by-balloon means agree within Monte Carlo error.
    assert abs(pumps.mean() - sim_pumps.mean()) < 0.03 * sim_pumps.mean()
    assert abs((1 - collected).mean() - sim_popped.mean()) < 0.03
    assert np.allclose(pumps.mean(axis=0)[[0, -1]], sim_pumps.mean(axis=0)[[0, -1]], rtol=0.15)


def test_a_par4_fit_only_ever_widens_the_interval_and_never_for_pace():
    from traits.mapping import compute_profile
    from traits.metrics import Trial

    rng = np.random.default_rng(11)
    trials = []
    for i in range(30):
        pumps = int(rng.integers(10, 50))
        ts = [1000.0 * i + 250.0 * k for k in range(1, pumps + 1)]
        trials.append(Trial(i, "blue", 128, pumps, i % 6 == 0, 1000.0 * i, ts, None))
    fits = {"bart_par4": {"estimates": {"phi": 0.98, "eta": 0.01, "gamma": 0.8, "tau": 0.2}}}
    with_fit = {d["key"]: d for d in compute_profile(trials, fits, seed=5)["dimensions"]}
    without = {d["key"]: d for d in compute_profile(trials, seed=5)["dimensions"]}
    for d in with_fit.values():
        lo, hi = d["value_interval"]
        assert lo <= d["value"] <= hi and d["interval_method"]["model_widening"] >= 1.0
        assert d["interval_method"]["block_length"] == 4  # ⌈30^(1/3)⌉ balloons, ⌈29^(1/3)⌉ pairs
    assert with_fit["decision_pace"]["interval_method"]["model_replays"] == 0
    assert with_fit["decision_pace"]["value_interval"] == without["decision_pace"]["value_interval"]
    assert without["risk_tolerance"]["interval_method"]["model_widening"] == 1.0
