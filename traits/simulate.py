"""Simulated participants whose choices come from a model with known parameters (pure, no Django).

Used for parameter recovery (simulate → fit → compare) and to produce realistic bart-events/1
streams for pipeline tests. A balloon is pumped while the model says "pump" and stops either at
the model's first "stop" or when the pump count reaches the scheduled explosion point (a pop).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np

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


def events_from_choices(
    schedule: Sequence[dict[str, Any]],
    choices: Sequence[tuple[int, int]],
    rng: np.random.Generator,
    *,
    reward_per_pump: float = 0.05,
    start_ts: int = 1_764_000_000_000,
) -> list[dict[str, Any]]:
    """A complete bart-events/1 stream (seq 0…) for the given choices, with plausible timings."""
    events: list[dict[str, Any]] = []
    t = 0.0
    total = 0.0

    def emit(kind: str, balloon: int | None, data: dict[str, Any]) -> None:
        event: dict[str, Any] = {
            "event_id": str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | len(events), version=4)),
            "seq": len(events),
            "type": kind,
            "t": round(t, 3),
            "client_ts": start_ts + int(t),
            "data": data,
        }
        if balloon is not None:
            event["balloon"] = balloon
        events.append(event)

    emit("session_start", None, {"variant": "standard"})
    for balloon, (pumps, exploded) in zip(schedule, choices, strict=True):
        index = int(balloon["index"])
        t += 800.0
        emit("balloon_start", index, {"color": balloon["color"], "max_pumps": int(balloon["max_pumps"])})
        for n in range(1, pumps + 1):
            rt = float(rng.gamma(4.0, 80.0)) if n > 1 else float(rng.gamma(4.0, 200.0))
            t += rt
            emit("pump", index, {"pump": n, "rt_ms": round(rt, 3), "input": "mouse"})
        if exploded:
            emit("pop", index, {"pumps": pumps, "total": round(total, 2)})
        else:
            rt = float(rng.gamma(4.0, 150.0))
            t += rt
            earned = round(reward_per_pump * pumps, 2)
            total = round(total + earned, 2)
            emit(
                "cash_out",
                index,
                {"pumps": pumps, "earned": earned, "total": total, "rt_ms": round(rt, 3), "input": "mouse"},
            )
    t += 500.0
    emit("session_end", None, {"reason": "completed", "balloons": len(schedule), "total": total})
    return events


class ModelPolicy:
    """A games.simulate policy whose choices come from a traits model (for the real-HTTP simulator)."""

    def __init__(self, model: Model | str, values: Sequence[float]) -> None:
        self.model = MODELS[model] if isinstance(model, str) else model
        self.values = tuple(values)
        self.n_succ = 0
        self.n_pump = 0

    def wants_pump(self, *, balloon: dict[str, Any], pumps: int, rng: Any) -> bool:
        probs = _pump_probabilities(self.model, self.values, self.n_succ, self.n_pump, pumps + 1)
        return bool(rng.random() < float(probs[pumps]))

    def observe(self, *, pumps: int, popped: bool) -> None:
        self.n_pump += pumps
        self.n_succ += pumps - int(popped)


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
