"""The study-level fit with numbers alone: it finds the population it was drawn from and shrinks toward it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traits.bart_models import MODELS, PAR4, fit_model
from traits.hierarchical import HIERARCHICAL_VERSION, ewmv_stop_point, fit_study
from traits.simulate import simulate_choices, uniform_schedule

# A par4 population on the free scale (logit φ, log η, log γ, log τ): its mean and SD per parameter.
MU = {"phi": math.log(0.985 / 0.015), "eta": math.log(0.005), "gamma": math.log(0.7), "tau": math.log(0.2)}
SD = {"phi": 0.5, "eta": 0.6, "gamma": 0.3, "tau": 0.3}


def simulated_study(n: int, seed: int) -> tuple[list[dict[str, float]], list[tuple[list[int], list[int]]]]:
    rng = np.random.default_rng(seed)
    truth, sessions = [], []
    for _ in range(n):
        values = {p.name: p.to_natural(rng.normal(MU[p.name], SD[p.name])) for p in PAR4.params}
        choices = simulate_choices(PAR4, [values[p.name] for p in PAR4.params], uniform_schedule(40, 128, rng), rng)
        truth.append(values)
        sessions.append(([c[0] for c in choices], [c[1] for c in choices]))
    return truth, sessions


@pytest.fixture(scope="module")
def study():
    truth, sessions = simulated_study(40, seed=11)
    return truth, sessions, fit_study(PAR4, sessions)


def test_it_recovers_the_population_it_was_drawn_from(study):
    _, _, fit = study
    assert fit.converged and fit.version == HIERARCHICAL_VERSION == "bart-hierarchical/1.0.0"
    for name in ("phi", "gamma", "tau"):  # η's mean is the hardest; it is still within 0.4 on the log scale
        assert abs(fit.population[name]["mu_free"] - MU[name]) < 0.25, name
    assert abs(fit.population["eta"]["mu_free"] - MU["eta"]) < 0.4
    for name in MU:
        assert 0.3 * SD[name] < fit.population[name]["sd_free"] < 2.0 * SD[name], name


def test_each_estimate_is_pulled_toward_the_population_mean(study):
    _, sessions, fit = study
    for name in ("gamma", "tau"):
        param = next(p for p in PAR4.params if p.name == name)
        mu = fit.population[name]["mu_free"]
        alone = [abs(param.to_free(fit_model(PAR4, *s).estimates[name]) - mu) for s in sessions]
        shrunk = [abs(param.to_free(ind.estimates[name]) - mu) for ind in fit.individuals]
        assert np.mean(shrunk) < np.mean(alone), name


def test_intervals_contain_the_estimate_and_the_identified_risk_quantity_is_close_to_the_truth(study):
    truth, _, fit = study
    for ind in fit.individuals:
        for name, (lo, hi) in ind.intervals.items():
            assert lo <= ind.estimates[name] <= hi
        omega = ind.derived["omega"]
        assert omega["low"] <= omega["estimate"] <= omega["high"]
    true_omega = np.log([-t["gamma"] / math.log(t["phi"]) for t in truth])
    fitted = np.log([ind.derived["omega"]["estimate"] for ind in fit.individuals])
    assert np.corrcoef(true_omega, fitted)[0, 1] > 0.9


def test_the_same_sessions_give_the_same_fit(study):
    _, sessions, fit = study
    again = fit_study(PAR4, sessions)
    assert again.population == fit.population and again.individuals == fit.individuals


def test_the_population_is_stored_with_its_versions(study):
    _, _, fit = study
    stored = fit.as_dict()
    assert (stored["version"], stored["model_version"]) == (HIERARCHICAL_VERSION, MODELS["bart_par4"].version)
    assert set(stored["population"]["phi"]) == {"mu_free", "sd_free", "median", "low", "high", "n"}


def test_a_study_of_one_is_refused():
    with pytest.raises(ValueError, match="two participants"):
        fit_study("bart_par4", [([3, 4], [0, 1])])


def test_ewmv_stop_point_is_where_pumping_stops_being_worth_it():
    phi, lam = 0.1, 0.5
    assert ewmv_stop_point(phi, 0.0, lam) == pytest.approx(1 + (1 - phi) / (lam * phi))
    rho = -0.2
    stop = ewmv_stop_point(phi, rho, lam)
    u_loss = stop - 1
    u_pump = (1 - phi) - lam * phi * u_loss + rho * phi * (1 - phi) * (1 + lam * u_loss) ** 2
    assert u_pump == pytest.approx(0.0, abs=1e-9)
    assert ewmv_stop_point(phi, 0.4, lam) == math.inf  # a strong risk seeker never finds stopping worth it


@pytest.mark.parametrize("model", ["bart_par4", "bart_ewmv"])
def test_the_numbers_do_not_depend_on_how_many_threads_computed_them(model):
    rng = np.random.default_rng(5)
    names = [p.name for p in MODELS[model].params]
    sessions = []
    for _ in range(12):
        values = {p.name: p.prior_center for p in MODELS[model].params}
        values["tau"] = values["tau"] * float(rng.uniform(0.5, 1.5))
        choices = simulate_choices(model, [values[n] for n in names], uniform_schedule(30, 128, rng), rng)
        sessions.append(([c[0] for c in choices], [c[1] for c in choices]))
    one = fit_study(model, sessions, threads=1, max_iter=15)
    two = fit_study(model, sessions, threads=2, max_iter=15)
    assert one.population == two.population and one.iterations == two.iterations
    assert [i.as_dict() for i in one.individuals] == [i.as_dict() for i in two.individuals]
