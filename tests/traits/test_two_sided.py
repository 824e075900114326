"""bart-traits/2.0.0's signed dimensions: each direction lands on the pole that says it, 0 is "no change"."""

from __future__ import annotations

import numpy as np
import pytest

from traits.mapping import BY_KEY, compute_profile, learning_slope, post_loss_change
from traits.metrics import Trial, post_loss_adjustment


def session(targets, rng, *, after_pop=0.0, capacity=128, noise=4.0):
    """Balloons pumped toward `targets[i]` (+ `after_pop` after a pop) on a uniform explosion schedule."""
    out, popped = [], False
    for i, target in enumerate(targets):
        want = int(np.clip(round(target + (after_pop if popped else 0.0) + rng.normal(0, noise)), 1, capacity))
        point = int(rng.integers(1, capacity + 1))
        popped = want >= point
        pumps = point if popped else want
        ts = [10_000.0 * i + 300.0 * k for k in range(1, pumps + 1)]
        out.append(Trial(i, "blue", capacity, pumps, popped, 10_000.0 * i, ts, None))
    return out


def dims(trials, seed=1):
    return {d["key"]: d for d in compute_profile(trials, seed=seed)["dimensions"]}


def test_the_poles_of_the_signed_dimensions_say_which_way():
    learning, loss = BY_KEY["learning"], BY_KEY["reaction_to_loss"]
    assert (learning.low_pole, learning.high_pole, learning.zero) == (
        "more cautious over time",
        "more daring over time",
        "no trend over the game",
    )
    assert (loss.low_pole, loss.high_pole, loss.zero) == (
        "more cautious after a loss",
        "more daring after a loss",
        "unchanged after a loss",
    )


def test_a_learner_toward_more_risk_lands_on_the_daring_pole_and_one_toward_less_on_the_cautious_pole():
    rng = np.random.default_rng(4)
    up = dims(session([15 + 1.0 * i for i in range(30)], rng))["learning"]
    down = dims(session([50 - 1.0 * i for i in range(30)], rng))["learning"]
    assert up["value"] > 0 and up["z"] > 0 and up["direction"] == "high" and up["value_interval"][0] > 0
    assert down["value"] < 0 and down["z"] < 0 and down["direction"] == "low" and down["value_interval"][1] < 0
    # Per 10 balloons, in pumps: about +10 and −10 (a pop cuts the highest intentions short, so a little less).
    assert 5 < up["value"] < 12 and -12 < down["value"] < -5


def test_a_player_without_a_trend_averages_no_trend_not_a_positive_number():
    rng = np.random.default_rng(5)
    slopes = [learning_slope(session([35] * 30, rng, noise=10.0)) for _ in range(300)]
    # 1.x scored |slope|: a player with no trend still averaged a clearly positive value. Signed, it averages 0.
    assert abs(np.mean(slopes)) < 0.4 and np.mean(np.abs(slopes)) > 1.0


def test_pumping_more_after_a_pop_lands_on_more_daring_after_a_loss():
    rng = np.random.default_rng(6)
    bolder = dims(session([30] * 60, rng, after_pop=15.0))["reaction_to_loss"]
    warier = dims(session([30] * 60, rng, after_pop=-15.0))["reaction_to_loss"]
    assert bolder["value"] > 0 and bolder["direction"] == "high" and bolder["z"] > 0
    assert bolder["high_pole"] == "more daring after a loss"
    assert warier["value"] < 0 and warier["direction"] == "low" and warier["z"] < 0
    assert warier["low_pole"] == "more cautious after a loss"
    # The facts the participant reads are in the same direction as the score.
    assert bolder["facts"]["after_pop_mean"] > bolder["facts"]["after_collect_mean"]
    assert warier["facts"]["after_pop_mean"] < warier["facts"]["after_collect_mean"]


def test_a_learner_who_ignores_pops_is_not_read_as_reacting_to_them():
    """Later balloons are pumped more and pop more, so the plain after-pop − after-collect difference
    of a learner is positive; with the session's trend held fixed, the reaction is about 0."""
    rng = np.random.default_rng(7)
    raw, held = [], []
    for _ in range(200):
        trials = session([10 + 1.5 * i for i in range(40)], rng, noise=3.0)
        raw.append(post_loss_adjustment(trials)["value"])
        held.append(post_loss_change(trials))
    assert np.mean(raw) > 3.0
    assert abs(np.mean(held)) < 1.0


def test_zero_change_gives_no_direction_either_way():
    trials = session([30] * 30, np.random.default_rng(8), noise=0.0)
    learning = dims(trials)["learning"]
    assert learning["value"] == pytest.approx(0.0, abs=1e-9) and learning["direction"] == "none"
