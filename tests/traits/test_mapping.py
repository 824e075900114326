"""Trait mapping: values and their placement, intervals, insufficient data, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from traits.mapping import (
    DIMENSIONS,
    MIN_STUDY_NORMS,
    PLACEHOLDER,
    TRAITS_VERSION,
    compute_profile,
    norms_from_values,
)
from traits.metrics import Trial


def trials(pumps_list, exploded=(), gap=300.0, max_pumps=128):
    out = []
    for i, pumps in enumerate(pumps_list):
        ts = [1000.0 * i + gap * k for k in range(1, pumps + 1)]
        out.append(Trial(i, "blue", max_pumps, pumps, i in exploded, 1000.0 * i, ts, ts[-1] + 200 if ts else None))
    return out


def by_key(profile):
    return {d["key"]: d for d in profile["dimensions"]}


def test_every_dimension_has_two_poles_and_a_sourced_basis():
    profile = compute_profile(trials([30] * 30), seed=1)
    assert profile["version"] == TRAITS_VERSION == "bart-traits/2.0.0"
    assert [d["key"] for d in profile["dimensions"]] == [d.key for d in DIMENSIONS]
    for d in profile["dimensions"]:
        assert d["low_pole"] and d["high_pole"] and d["norm"]["source"]


def test_without_norms_risk_tolerance_has_a_placeholder_z_but_no_percentile():
    profile = by_key(compute_profile(trials([44, 20] * 15, exploded=set(range(1, 30, 2))), seed=1))
    risk = profile["risk_tolerance"]
    assert risk["value"] == 44.0  # the popped balloon does not count
    ref = PLACEHOLDER["risk_tolerance"]
    assert risk["z"] == pytest.approx((44.0 - ref.mean) / ref.sd)
    assert risk["percentile"] is None and risk["percentile_interval"] is None
    assert risk["norm"]["basis"] == "placeholder"
    assert risk["facts"] == {"mean_pumps": 44.0, "max_pumps": 128, "n_collected": 15, "n_balloons": 30}


def test_smaller_balloons_are_rescaled_to_the_standard_capacity():
    small = by_key(compute_profile(trials([4] * 10, max_pumps=16), seed=1))
    assert small["risk_tolerance"]["value"] == 32.0


def test_intervals_contain_the_estimate_and_narrow_with_more_balloons():
    rng = np.random.default_rng(0)
    few = by_key(compute_profile(trials(list(rng.integers(5, 60, 10))), seed=2))["risk_tolerance"]
    many = by_key(compute_profile(trials(list(rng.integers(5, 60, 90))), seed=2))["risk_tolerance"]
    for d in (few, many):
        low, high = d["z_interval"]
        assert low <= d["z"] <= high
    assert many["z_interval"][1] - many["z_interval"][0] < few["z_interval"][1] - few["z_interval"][0]


def test_a_short_session_gets_insufficient_data_not_a_number():
    profile = by_key(compute_profile(trials([10, 12, 3]), seed=1))
    for key in ("risk_tolerance", "reaction_to_loss", "learning"):
        assert profile[key]["status"] == "insufficient_data"
        assert profile[key]["z"] is None and profile[key]["reason"]


def test_loss_reaction_and_learning_are_scored_on_a_full_session():
    pumps = [20 + i for i in range(30)]
    profile = by_key(compute_profile(trials(pumps, exploded={3, 9, 15, 21}), seed=1))
    assert profile["reaction_to_loss"]["status"] == "ok"
    assert profile["learning"]["value"] == pytest.approx(10.0, abs=0.5)  # 1 pump per balloon, 10 per 10 balloons


def test_model_estimates_are_attached_as_evidence():
    fits = {
        "bart_par4": {
            "version": "bart_par4/1.1.0",
            "estimates": {"gamma": 1.2},
            "intervals": {"gamma": [1, 1.4]},
            "converged": True,
        }
    }
    risk = by_key(compute_profile(trials([30] * 10), fits, seed=1))["risk_tolerance"]
    assert risk["model_evidence"] == [
        {
            "model": "bart_par4",
            "version": "bart_par4/1.1.0",
            "parameter": "gamma",
            "estimate": 1.2,
            "interval": [1, 1.4],
            "converged": True,
        }
    ]


def test_the_same_seed_gives_the_same_profile():
    data = trials([10 + (i * 7) % 40 for i in range(30)], exploded={2, 5})
    assert compute_profile(data, seed=9) == compute_profile(data, seed=9)


def test_study_norms_exist_only_for_dimensions_with_enough_participants():
    enough = [float(v) for v in range(MIN_STUDY_NORMS + 1)]
    norms = norms_from_values({"risk_tolerance": enough, "learning": enough[:-1]}, "study")
    assert set(norms) == {"risk_tolerance"}  # 30 values: a member left out would be compared with 29
    assert norms["risk_tolerance"].mean == 15.0
    assert norms["risk_tolerance"].sd == pytest.approx(float(np.std(enough, ddof=1)))
    assert norms["risk_tolerance"].values == tuple(enough) and norms["risk_tolerance"].method == "empirical"


def _pooled_median_row_by_row(balloons, idx):
    gaps = [np.diff(np.asarray(t.pump_ts, dtype=np.float64)) for t in balloons]
    out = np.full(idx.shape[0], np.nan)
    for r, row in enumerate(idx):
        pooled = np.concatenate([gaps[i] for i in row])
        if pooled.size:
            out[r] = float(np.median(pooled))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_vectorised_pace_bootstrap_equals_pooling_row_by_row(seed):
    from traits.mapping import _pooled_gap_medians

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    balloons = []
    for i in range(n):
        pumps = int(rng.integers(0, 6))  # 0 or 1 pump: a balloon without any interval
        ts = np.cumsum(rng.integers(1, 5, size=pumps) * 100.0).tolist()  # coarse times: many ties
        balloons.append(Trial(i, "blue", 128, pumps, False, 0.0, ts, None))
    idx = rng.integers(0, n, size=(50, n))
    expected = _pooled_median_row_by_row(balloons, idx)
    got = _pooled_gap_medians(balloons, idx)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.array_equal(got[~np.isnan(got)], expected[~np.isnan(expected)])  # bit for bit, not approximately
