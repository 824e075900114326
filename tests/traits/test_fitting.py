"""The compiled posterior and optimiser (traits/fitting.py) against the numpy reference (traits/bart_models.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traits import fitting
from traits.bart_models import EWMV, MODELS, PAR4, _neg_log_posterior, fit_model, make_design
from traits.simulate import simulate_choices, uniform_schedule


def random_design(rng: np.random.Generator):
    n = int(rng.integers(1, 40))
    pumps = rng.integers(0, 70, size=n)
    explosion = (rng.random(n) < 0.3).astype(int) * (pumps > 0)
    return make_design(pumps.tolist(), explosion.tolist())


@pytest.mark.parametrize("model", [PAR4, EWMV], ids=lambda m: m.name)
@pytest.mark.parametrize("seed", range(25))
def test_compiled_value_and_gradient_equal_the_numpy_reference(model, seed):
    rng = np.random.default_rng(seed)
    design = random_design(rng)
    problem = fitting.Problem.of(model, design)
    for _ in range(8):
        free = rng.normal(0.0, 3.0, size=len(model.params))
        expected_value, expected_grad = _neg_log_posterior(model, design, free)
        value, grad = problem.value_and_gradient(free)
        assert value == pytest.approx(expected_value, rel=1e-10, abs=1e-9)
        assert grad == pytest.approx(expected_grad, rel=1e-8, abs=1e-8)


@pytest.mark.parametrize("model", [PAR4, EWMV], ids=lambda m: m.name)
def test_both_answer_the_wall_outside_the_domain(model):
    design = make_design([3, 5, 0], [0, 1, 0])
    free = np.full(len(model.params), 31.0)
    value, grad = fitting.Problem.of(model, design).value_and_gradient(free)
    assert value == fitting.WALL == _neg_log_posterior(model, design, free)[0]
    assert not grad.any()


@pytest.mark.parametrize("name", ["bart_par4", "bart_ewmv"])
def test_bfgs_reaches_a_vanishing_gradient_at_a_minimum(name):
    model = MODELS[name]
    rng = np.random.default_rng(3)
    values = (0.9, 0.05, 1.0, 0.8) if name == "bart_par4" else (0.1, 0.3, 0.1, 6.0, 1.0)
    choices = simulate_choices(name, values, uniform_schedule(30, 128, rng), rng)
    design = make_design([c[0] for c in choices], [c[1] for c in choices])
    problem = fitting.Problem.of(model, design)
    x0 = np.array([p.to_free(v) for p, v in zip(model.params, model.starts[0], strict=True)])
    result = problem.minimize(x0)
    # 1e-5 is the target; an ill-conditioned optimum can stop earlier on rounding (the objective's own
    # noise, about 1e-12, hides the last decrease), which fit_model accepts up to 1e-3.
    assert np.max(np.abs(result.grad)) < 1e-3
    assert result.value < problem.value_and_gradient(x0)[0]
    # A minimum: every small move in any direction goes up.
    for direction in np.vstack([np.eye(x0.size), -np.eye(x0.size)]):
        assert problem.value_and_gradient(result.x + 1e-3 * direction)[0] > result.value


def test_the_fit_reports_the_best_of_its_starts():
    rng = np.random.default_rng(8)
    choices = simulate_choices("bart_ewmv", (0.08, 0.02, -0.1, 15.0, 0.3), uniform_schedule(30, 128, rng), rng)
    pumps, explosion = [c[0] for c in choices], [c[1] for c in choices]
    fit = fit_model("bart_ewmv", pumps, explosion)
    problem = fitting.Problem.of(EWMV, make_design(pumps, explosion))
    ends = [
        problem.minimize(np.array([p.to_free(v) for p, v in zip(EWMV.params, s, strict=True)])).value
        for s in EWMV.starts
    ]
    assert -fit.log_posterior == pytest.approx(min(ends), abs=1e-9)
    assert fit.starts_agreeing == sum(1 for e in ends if abs(e - min(ends)) < 1e-3)
    assert math.isfinite(fit.aic) and fit.version == "bart_ewmv/2.0.0"


def test_reading_the_models_does_not_load_numba():
    """numba brings LLVM (tens of MB): the web process and exports read versions, only fits need it."""
    import subprocess
    import sys

    probe = "import sys, traits.bart_models, traits.mapping; print('numba' in sys.modules, 'llvmlite' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
