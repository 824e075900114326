"""Simulated participants whose choices come from a model with known parameters (pure, no Django).

`simulate_choices` is the fast simulator of parameter recovery (simulate → fit → compare): a
balloon is pumped while the model says "pump" and stops either at the model's first "stop" or
when the pump count reaches the scheduled explosion point (a pop). `policy_for` gives the
games.simulate policy that plays an agent event by event (the real-HTTP simulator).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from games.simulate import Par4Policy, Policy
from traits.bart_models import MODELS, Design, Model


def _pump_probabilities(model: Model, values: Sequence[float], n_succ: float, n_pump: float, max_l: int) -> Any:
    """P(pump) at opportunities 1..max_l of the next balloon, in one vectorised call."""
    l_ = np.arange(1, max_l + 1, dtype=np.float64)
    design = Design(
        np.zeros(1),
        np.zeros(1),
        np.array([float(n_succ)]),
        np.array([float(n_pump)]),
        np.zeros(max_l, dtype=np.int64),
        l_,
        np.ones(max_l),
    )
    x = model.logits(design, *values)
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # the logistic function, without overflow warnings


def simulate_choices(
    model: Model | str, values: Sequence[float], schedule: Sequence[dict[str, Any]], rng: np.random.Generator
) -> list[tuple[int, int]]:
    """(pumps, explosion) per scheduled balloon, in play order."""
    model = MODELS[model] if isinstance(model, str) else model
    n_succ = n_pump = 0.0
    out: list[tuple[int, int]] = []
    for balloon in schedule:
        point = int(balloon["explosion_point"])
        probs = _pump_probabilities(model, values, n_succ, n_pump, point)
        pumped = rng.random(point) < probs
        stops = np.flatnonzero(~pumped)
        if stops.size:
            pumps, exploded = int(stops[0]), 0
        else:
            pumps, exploded = point, 1
        out.append((pumps, exploded))
        n_succ += pumps - exploded
        n_pump += pumps
    return out


def uniform_schedule(n: int, max_pumps: int, rng: np.random.Generator, color: str = "blue") -> list[dict[str, Any]]:
    """A schedule with explosion points uniform on 1..max_pumps, as the array method gives."""
    points = rng.integers(1, max_pumps + 1, size=n)
    return [
        {"index": i, "color": color, "max_pumps": max_pumps, "explosion_point": int(p)} for i, p in enumerate(points)
    ]


class EwmvPolicy:
    """A games.simulate policy whose choices come from the bart_ewmv model (for the real-HTTP simulator)."""

    def __init__(self, values: Sequence[float]) -> None:
        self.values = tuple(values)
        self.n_succ = 0
        self.n_pump = 0

    def wants_pump(self, *, balloon: Mapping[str, Any], pumps: int, rng: random.Random) -> bool:
        probs = _pump_probabilities(MODELS["bart_ewmv"], self.values, self.n_succ, self.n_pump, pumps + 1)
        return bool(rng.random() < float(probs[pumps]))

    def observe(self, *, pumps: int, popped: bool) -> None:
        self.n_pump += pumps
        self.n_succ += pumps - int(popped)


def policy_for(model: str, values: Mapping[str, float]) -> Policy:
    """The games.simulate policy of an agent of ``model`` with parameters ``values`` (by name).

    bart_par4 is games.simulate.Par4Policy itself: the par4 generative model is written once, in
    the lowest layer that plays it (the demo seed uses it too).
    """
    if model == "bart_par4":
        return Par4Policy(**values)
    if model == "bart_ewmv":
        return EwmvPolicy([values[p.name] for p in MODELS[model].params])
    raise ValueError(f"no simulated policy for model {model!r}")


# Parameter ranges of simulated agents (the recovery tests and simulate_participants draw from them).
AGENT_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "bart_par4": {"phi": (0.8, 0.99), "eta": (0.01, 0.3), "gamma": (0.3, 2.0), "tau": (0.2, 2.0)},
    "bart_ewmv": {"phi": (0.02, 0.2), "eta": (0.1, 0.9), "rho": (-0.3, 0.3), "tau": (2.0, 15.0), "lambda": (0.5, 3.0)},
}


def draw_agent(model: str, rng: np.random.Generator) -> dict[str, float]:
    return {name: float(rng.uniform(lo, hi)) for name, (lo, hi) in AGENT_RANGES[model].items()}


# Empirically plausible parameters (docs/validation.md, "Ranges", gives the sources): hBayesDM's posterior
# means for its example subjects, widened to cover the published group fits. Drawn uniformly on the free
# scale (log or logit), since η and τ span orders of magnitude.
PLAUSIBLE_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "bart_par4": {"phi": (0.97, 0.997), "eta": (0.001, 0.02), "gamma": (0.3, 1.3), "tau": (0.08, 0.4)},
    "bart_ewmv": {"phi": (0.05, 0.3), "eta": (0.05, 0.5), "rho": (-0.3, 0.0), "tau": (3.0, 15.0), "lambda": (0.2, 1.0)},
}


def draw_plausible_agent(model: str, rng: np.random.Generator) -> dict[str, float]:
    """One agent from PLAUSIBLE_RANGES, uniform on each parameter's free scale."""
    out = {}
    for param in MODELS[model].params:
        lo, hi = PLAUSIBLE_RANGES[model][param.name]
        out[param.name] = param.to_natural(float(rng.uniform(param.to_free(lo), param.to_free(hi))))
    return out
