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
