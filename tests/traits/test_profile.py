"""Profile-likelihood intervals of one session's fit (traits/profile.py, models 2.0.0)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traits import fitting, profile
from traits.bart_models import EWMV, MODELS, PAR4, fit_model, make_design
from traits.simulate import draw_plausible_agent, simulate_choices, uniform_schedule


def session(model_name: str, balloons: int, seed: int) -> tuple[dict[str, float], list[int], list[int]]:
    rng = np.random.default_rng(seed)
    names = [p.name for p in MODELS[model_name].params]
    values = draw_plausible_agent(model_name, rng)
    choices = simulate_choices(model_name, [values[n] for n in names], uniform_schedule(balloons, 128, rng), rng)
    return values, [c[0] for c in choices], [c[1] for c in choices]


def test_a_fixed_coordinate_stays_where_it_was_put():
    _, pumps, explosion = session("bart_par4", 30, 1)
    problem = fitting.Problem.of(PAR4, make_design(pumps, explosion))
    start = np.array([2.0, -4.0, 0.0, -1.0])
    result = problem.minimize(start, fixed=2)
    assert result.x[2] == 0.0
    assert not np.allclose(result.x[[0, 1, 3]], start[[0, 1, 3]])  # the others were optimised
    free = problem.minimize(start)
    assert free.value <= result.value  # holding one back cannot do better than the full optimum


@pytest.mark.parametrize("model_name", ["bart_par4", "bart_ewmv"])
@pytest.mark.parametrize("seed", range(3, 23))
def test_each_end_is_where_the_profile_has_dropped_by_half_the_chi_square_quantile(model_name, seed):
    model = MODELS[model_name]
    _, pumps, explosion = session(model_name, 30, seed)
    fit = fit_model(model, pumps, explosion)
    problem = fitting.Problem.of(model, make_design(pumps, explosion))
    x = np.array([p.to_free(fit.estimates[p.name]) for p in model.params])
    f0 = -fit.log_posterior
    for i, p in enumerate(model.params):
        low, high = fit.intervals[p.name]
        assert low < fit.estimates[p.name] < high
        for end in (p.to_free(low), p.to_free(high)):
            if abs(end) >= 12.0 - 1e-9:
                continue  # the data did not bound this side: nothing to check against the criterion
            outward = 1.0 if end > x[i] else -1.0
            margin = 2 * profile.X_TOL  # where the profile is a wall, the end is placed to within X_TOL
            # Just beyond the end, re-optimised from the MAP's other coordinates (not the warm path
            # the search took), the profile is at or above the threshold: the interval is not too narrow ...
            start = x.copy()
            start[i] = end + outward * margin
            assert problem.minimize(start, fixed=i).value - f0 >= profile.CRITICAL - 0.05, (p.name, end)
            # ... and just inside it, below: the interval is not too wide. The profile is a minimum
            # over the others, which for EWMV has more than one branch (η small or large): the
            # lowest of this test's own starts, the MAP's and every start of the model.
            inside = end - outward * margin
            starts = [x] + [
                np.array([q.to_free(v) for q, v in zip(model.params, st, strict=True)]) for st in model.starts
            ]
            values = []
            for st in starts:
                st = st.copy()
                st[i] = inside
                values.append(problem.minimize(st, fixed=i).value)
            assert min(values) - f0 < profile.CRITICAL + 0.05, (p.name, end)


def test_a_parameter_the_data_cannot_inform_gets_the_priors_interval():
    # One balloon: par4's learning rate η only acts from the second balloon on, so its likelihood is
    # flat and the profile of the log posterior is the prior's own: centre ± 1.96 prior SDs.
    fit = fit_model(PAR4, [12], [0])
    eta = PAR4.params[1]
    centre = eta.to_free(eta.prior_center)
    low, high = fit.intervals["eta"]
    assert eta.to_free(low) == pytest.approx(centre - 1.96 * eta.prior_sd, abs=0.01)
    assert eta.to_free(high) == pytest.approx(centre + 1.96 * eta.prior_sd, abs=0.01)


def test_with_much_data_the_profile_interval_approaches_the_wald_interval():
    # A long session makes the log posterior nearly quadratic: the two must then agree (Pawitan 2001, ch. 9).
    _, pumps, explosion = session("bart_ewmv", 600, 11)
    fit = fit_model(EWMV, pumps, explosion)
    tau = EWMV.params[3]
    se = fit.standard_errors_free["tau"]
    low, high = (tau.to_free(v) for v in fit.intervals["tau"])
    centre = tau.to_free(fit.estimates["tau"])
    assert (high - low) == pytest.approx(2 * 1.96 * se, rel=0.1)
    assert (centre - low) == pytest.approx(high - centre, rel=0.2)


def test_the_profile_is_wider_than_wald_along_ewmvs_risk_loss_ridge():
    # ρ and λ trade off within a short session; the Wald interval follows the tangent and is too narrow
    # (docs/validation.md: it covered ρ for 68 % of agents), the profile follows the ridge.
    wider = 0
    for seed in range(5):
        _, pumps, explosion = session("bart_ewmv", 30, 100 + seed)
        fit = fit_model(EWMV, pumps, explosion)
        rho = EWMV.params[2]
        se = fit.standard_errors_free["rho"]
        if se is None or not math.isfinite(se):
            wider += 1
            continue
        low, high = (rho.to_free(v) for v in fit.intervals["rho"])
        wider += int(high - low > 2 * 1.96 * se)
    assert wider >= 3


def test_labels_follow_the_interval_method_a_stored_fit_was_made_with():
    from traits import identification

    current = identification.label("bart_ewmv", "rho", version=EWMV.version)
    assert current["interval_calibrated"] is True and current["identified"] is False
    # A fit stored under 1.1.0 keeps its Wald interval, which covered ρ for 69 % of simulated agents.
    old = identification.label("bart_ewmv", "rho", version="bart_ewmv/1.1.0")
    assert old["interval_calibrated"] is False and "69%" in old["note"]
    evidence = identification.label_evidence(
        [{"key": "risk", "model_evidence": [{"model": "bart_par4", "parameter": "tau", "version": "bart_par4/1.1.0"}]}]
    )
    assert evidence[0]["model_evidence"][0]["interval_calibrated"] is False
    # The study-level fit's intervals do not depend on the session fit's version.
    assert identification.label("bart_ewmv", "rho", level="study", version="bart_ewmv/1.1.0")["note"].count("19%") == 1
