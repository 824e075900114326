"""Pearson (and Spearman) with Fisher-z intervals, against scipy and a case worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from traits.validity import (
    VALIDITY_VERSION,
    CorrelationResult,
    complete_pairs,
    fisher_interval,
    pearson,
    spearman,
)


def test_version_is_pinned():
    assert VALIDITY_VERSION == "1.0.0"


def test_hand_computed_case():
    """x = 1..5, y = 2, 1, 4, 3, 5: Sxy = 8, Sxx = Syy = 10, so r = 0.8 exactly.
    z = atanh(0.8) = ½ ln 9 = 1.098612; SE = 1/√2; half-width 1.959964/√2 = 1.385904;
    bounds tanh(-0.287292) = -0.279640 and tanh(2.484516) = 0.986196.
    t = 0.8·√(3/0.36) = 2.309401 on 3 df: p = 0.104088."""
    result = pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert isinstance(result, CorrelationResult)
    assert result.r == pytest.approx(0.8, abs=1e-12)
    assert result.lower == pytest.approx(-0.279640, abs=1e-6)
    assert result.upper == pytest.approx(0.986196, abs=1e-6)
    assert result.p_value == pytest.approx(0.104088, abs=1e-6)
    assert (result.n, result.excluded, result.reason, result.method) == (5, 0, None, "pearson")


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n", [4, 5, 12, 60])
@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_matches_scipy_pearsonr(seed, n, alpha):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 0.5 * x + rng.normal(size=n)
    ours = pearson(list(x), list(y), alpha=alpha)
    theirs = stats.pearsonr(x, y)
    ci = theirs.confidence_interval(confidence_level=1 - alpha)  # scipy's default method is Fisher z
    assert ours.r == pytest.approx(theirs.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-8, abs=1e-14)
    assert (ours.lower, ours.upper) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_pairwise_complete_cases():
    x = [1.0, 2.0, None, 4.0, 5.0, float("nan"), 3.0, 6.0]
    y = [2.0, 1.0, 7.0, 3.0, None, 4.0, 4.0, float("inf")]
    # Kept: (1, 2), (2, 1), (4, 3), (3, 4).
    xs, ys = complete_pairs(x, y)
    assert list(xs) == [1.0, 2.0, 4.0, 3.0] and list(ys) == [2.0, 1.0, 3.0, 4.0]
    result = pearson(x, y)
    assert (result.n, result.excluded) == (4, 4)
    assert result.r == pytest.approx(stats.pearsonr(xs, ys).statistic, abs=1e-12)


def test_fewer_than_four_pairs_gives_a_reason():
    result = pearson([1.0, 2.0, 3.0, None], [2.0, 1.0, 3.0, 4.0])
    assert result.r is None and result.lower is None and result.upper is None and result.p_value is None
    assert result.n == 3 and "at least 4" in result.reason


@pytest.mark.parametrize("method", [pearson, spearman])
def test_constant_input_gives_a_reason(method):
    result = method([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 3.0, 3.0, 3.0, 3.0])
    assert result.r is None and "y is constant" in result.reason
    # Constant only over the complete pairs counts too.
    result = method([2.0, 2.0, 2.0, 2.0, 9.0], [1.0, 2.0, 3.0, 4.0, None])
    assert result.r is None and "x is constant" in result.reason


def test_perfect_correlation_has_a_degenerate_interval():
    result = pearson([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0])
    assert result.r == pytest.approx(1.0)
    assert result.lower == result.upper == result.r
    assert result.p_value == 0.0


def test_fisher_interval_is_symmetric_in_z():
    lo, hi = fisher_interval(0.3, 50)
    half = stats.norm.ppf(0.975) / math.sqrt(47)
    assert math.atanh(hi) - math.atanh(0.3) == pytest.approx(half)
    assert math.atanh(0.3) - math.atanh(lo) == pytest.approx(half)
    assert fisher_interval(-0.3, 50) == pytest.approx((-hi, -lo))


def test_spearman_matches_scipy_and_uses_the_wider_interval():
    rng = np.random.default_rng(11)
    x = rng.normal(size=40)
    y = np.exp(x) + rng.normal(scale=0.5, size=40)
    ours = spearman(list(x), list(y))
    theirs = stats.spearmanr(x, y)
    assert ours.method == "spearman"
    assert ours.r == pytest.approx(theirs.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-8)
    z, half = math.atanh(ours.r), stats.norm.ppf(0.975) * math.sqrt(1.06 / 37)
    assert (ours.lower, ours.upper) == pytest.approx((math.tanh(z - half), math.tanh(z + half)))


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        pearson([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        pearson([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0], alpha=1.0)
