"""Norms that leave the scored person out, with empirical percentiles where an indicator is not normal."""

from __future__ import annotations

import numpy as np
import pytest

from traits.mapping import DIMENSIONS, compute_profile
from traits.metrics import Trial
from traits.norms import MIN_STUDY_NORMS, PERCENTILE_METHOD, leave_one_out, percentile, sample_norm, usable


def test_every_dimension_declares_how_its_percentile_is_computed():
    assert set(PERCENTILE_METHOD) == {d.key for d in DIMENSIONS}
    # Bounded or skewed indicators are ranked, symmetric unbounded ones use the normal curve.
    assert PERCENTILE_METHOD["risk_tolerance"] == PERCENTILE_METHOD["consistency"] == "empirical"
    assert PERCENTILE_METHOD["learning"] == PERCENTILE_METHOD["reaction_to_loss"] == "normal"


def test_leaving_one_out_removes_the_scored_persons_own_value_and_nothing_else():
    values = [float(v) for v in range(40)]
    norm = sample_norm(values, method="empirical", source="study")
    mine = leave_one_out(norm, 39.0)
    assert mine.n == 39 and 39.0 not in mine.values and mine.leave_one_out
    assert mine.mean == pytest.approx(np.mean(values[:-1])) and mine.sd == pytest.approx(np.std(values[:-1], ddof=1))
    # Someone who was not in the norm (or has no value) is compared with everyone.
    assert leave_one_out(norm, 12.5) == norm and leave_one_out(norm, None) == norm


def test_the_top_scorer_is_not_lifted_by_their_own_value():
    values = [float(v) for v in range(MIN_STUDY_NORMS + 1)]
    norm = sample_norm(values, method="empirical", source="study")
    with_self, without = percentile(norm, 30.0), percentile(leave_one_out(norm, 30.0), 30.0)
    assert with_self == pytest.approx(100 * 30.5 / 31)  # half of their own tie counted below them
    assert without == 100.0  # above every one of the 30 others


def test_empirical_percentiles_are_mid_ranks_and_normal_ones_use_the_curve():
    skewed = [0.0] * 20 + [1.0] * 10 + [50.0, 100.0]
    emp = sample_norm(skewed, method="empirical", source="s")
    assert percentile(emp, 0.0) == pytest.approx(100 * 10 / 32)  # ties: half of them below
    assert percentile(emp, 2.0) == pytest.approx(100 * 30 / 32)
    normal = sample_norm(skewed, method="normal", source="s")
    assert percentile(normal, normal.mean) == pytest.approx(50.0)


def test_a_norm_too_small_once_the_person_is_left_out_places_no_one():
    values = [float(v) for v in range(MIN_STUDY_NORMS)]
    norm = sample_norm(values, method="normal", source="study")
    assert usable(norm) and not usable(leave_one_out(norm, 3.0))
    assert percentile(leave_one_out(norm, 3.0), 3.0) is None


def test_a_profile_is_placed_only_against_a_usable_norm():
    trials = [Trial(i, "blue", 128, 30 + i % 7, i % 5 == 0, 0.0, [], None) for i in range(30)]
    others = sample_norm([float(v) for v in range(10, 60)], method="empirical", source="study", label="study-norms-x")
    placed = {d["key"]: d for d in compute_profile(trials, seed=1, norms={"risk_tolerance": others})["dimensions"]}
    risk = placed["risk_tolerance"]
    assert risk["norm"]["basis"] == "study" and risk["norm"]["n"] == 50 and risk["percentile"] is not None
    assert placed["consistency"]["norm"]["basis"] == "placeholder" and placed["consistency"]["percentile"] is None
    small = sample_norm([1.0, 2.0, 3.0], method="empirical", source="study")
    unplaced = {d["key"]: d for d in compute_profile(trials, seed=1, norms={"risk_tolerance": small})["dimensions"]}
    assert (
        unplaced["risk_tolerance"]["percentile"] is None
        and unplaced["risk_tolerance"]["norm"]["basis"] == "placeholder"
    )
