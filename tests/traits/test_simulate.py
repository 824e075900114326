"""traits.simulate plays agents with known parameters, reproducibly: pinned values for fixed seeds."""

from __future__ import annotations

import numpy as np
import pytest

from games.simulate import Par4Policy, simulate_session
from tests.games.test_simulate import PAR4_AGENT, PAR4_EVENTS_SHA256, PAR4_PUMPS, SCHEDULE, _digest
from traits.simulate import EwmvPolicy, policy_for, simulate_choices, uniform_schedule

EWMV_AGENT = {"phi": 0.1, "eta": 0.4, "rho": -0.1, "tau": 6.0, "lambda": 1.2}


def _numbers(text: str) -> list[int]:
    return [int(n) for n in text.split()]


def _choices(text: str) -> list[tuple[int, int]]:
    return [(int(pumps), int(exploded)) for pumps, exploded in (pair.split(":") for pair in text.split())]


def test_a_par4_agent_is_played_by_the_one_par4_policy_of_games():
    policy = policy_for("bart_par4", PAR4_AGENT)
    assert isinstance(policy, Par4Policy)
    # The same session the real-HTTP simulator's own par4 policy played (pinned before it was removed).
    sim = simulate_session(SCHEDULE, policy, seed=7)
    assert sim.pumps == PAR4_PUMPS
    assert _digest(sim.events) == PAR4_EVENTS_SHA256


def test_an_ewmv_agent_plays_the_pinned_session_for_its_seed():
    policy = policy_for("bart_ewmv", EWMV_AGENT)
    assert isinstance(policy, EwmvPolicy)
    sim = simulate_session(SCHEDULE, policy, seed=7)
    assert sim.pumps == _numbers("5 6 1 6 3 5 4 4 7 7 3 7 8 11 6 10 11 9 1 10 11 5 11 11 8 10 4 15 14 3")
    assert _digest(sim.events) == "31dcda25f8ade9abdd7a30941b3dc98444dfeb447c77d7786a30160476daac8a"


def test_a_model_without_a_policy_is_refused():
    with pytest.raises(ValueError, match="no simulated policy"):
        policy_for("bart_other", {})


def test_the_recovery_simulator_draws_the_pinned_choices_for_its_seed():
    rng = np.random.default_rng(11)
    schedule = uniform_schedule(12, 64, rng)
    par4 = simulate_choices("bart_par4", list(PAR4_AGENT.values()), schedule, rng)
    ewmv = simulate_choices("bart_ewmv", list(EWMV_AGENT.values()), schedule, rng)
    assert par4 == _choices("9:1 9:1 14:0 20:0 26:0 30:0 35:0 2:1 32:1 10:1 26:1 35:0")
    assert ewmv == _choices("7:0 9:1 5:0 9:0 7:0 9:0 10:0 2:1 11:0 10:1 5:0 9:0")
