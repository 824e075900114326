# ruff: noqa: RUF001, RUF002, RUF003  (Greek parameter names and typographic dashes, as in traits/)
"""Coverage of the trait intervals by simulation (docs/traits.md, "Intervals").

    python -m bench.trait_intervals [--agents 150] [--replays 200] [--balloons 30 90] [--seed 2026]

For each simulated agent, one session is scored with its 95 % interval, and the agent's
**expected score** is the mean of the indicator over `--replays` further sessions of the same
agent on fresh explosion schedules. An interval "covers" when it contains the expected score; a
calibrated 95 % interval covers for about 95 % of agents (the target band is 90–97 %). Agents:

- `stationary`: a target number of pumps with serially correlated noise (AR(1), ρ 0–0.6), and
  a pace that drifts from balloon to balloon in the same way: no trend, no reaction to loss;
- `trend`: the same with a target that rises or falls linearly over the session (learning
  toward more or toward less risk), ±0.2–1.0 pumps per balloon;
- `loss`: stationary but shifting the next balloon by −12…+12 pumps after a pop;
- `par4`: the four-parameter model of traits/simulate.py (Wallsten et al. 2005), its belief
  updated by every balloon, drawn from traits.simulate.AGENT_RANGES (learners by construction);
- `par4_fixed`: the same with η = 0 (no updating): a stationary model agent;
- `par4_audit`: par4 agents in the ranges of issue #20's audit, near hBayesDM's example subjects
  (slow updating, η .001–.02).

Each scored session goes through the pipeline's own code: par4 is fitted (traits.bart_models) and
`compute_profile` gives the 2.0.0 interval (circular block bootstrap, expanded percentile, widened
to the fitted agent's replays). Beside it, the 1.x interval (single balloons resampled, plain
percentiles) on the same session, the median width ratio 2.0.0 / 1.x, and how often the model
replays stretched the interval (median factor, 1 = not at all). Seeded: the same arguments give the same table.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from traits import mapping
from traits.bart_models import fit_model
from traits.intervals import block_counts
from traits.metrics import Trial
from traits.simulate import AGENT_RANGES, draw_agent, simulate_choices, uniform_schedule

CAPACITY = 128
Choices = list[tuple[int, int]]


def _ar1(n: int, rho: float, sd: float, rng: np.random.Generator) -> Any:
    """A stationary AR(1) series with marginal SD `sd`."""
    e = rng.normal(0.0, sd * np.sqrt(1 - rho * rho), size=n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sd)
    for i in range(1, n):
        out[i] = rho * out[i - 1] + e[i]
    return out


class TargetAgent:
    """Pumps toward a target that may drift over the session and shift after a pop."""

    def __init__(self, rng: np.random.Generator, *, trend: float = 0.0, after_pop: float = 0.0) -> None:
        self.target = float(rng.uniform(15, 60))
        self.trend = trend
        self.after_pop = after_pop
        self.rho = float(rng.uniform(0.0, 0.6))
        self.sd = float(rng.uniform(3, 12))

    def play(self, schedule: Sequence[dict[str, Any]], rng: np.random.Generator) -> Choices:
        noise = _ar1(len(schedule), self.rho, self.sd, rng)
        out: Choices = []
        popped = False
        for i, balloon in enumerate(schedule):
            shift = self.after_pop if popped else 0.0
            want = round(float(np.clip(self.target + self.trend * i + shift + noise[i], 1, CAPACITY)))
            point = int(balloon["explosion_point"])
            popped = want >= point
            out.append((point, 1) if popped else (want, 0))
        return out


# Near hBayesDM's example subjects: the ranges of the audit in issue #20 (φ .97–.997, η .001–.02,
# γ .3–1.3, τ .08–.4), drawn uniformly on the log (η, γ, τ) or logit (φ) scale.
AUDIT_PAR4 = {"phi": (0.97, 0.997), "eta": (0.001, 0.02), "gamma": (0.3, 1.3), "tau": (0.08, 0.4)}


def _draw_audit_par4(rng: np.random.Generator) -> dict[str, float]:
    out = {}
    for name, (lo, hi) in AUDIT_PAR4.items():
        if name == "phi":
            a, b = np.log(lo / (1 - lo)), np.log(hi / (1 - hi))
            out[name] = float(1 / (1 + np.exp(-rng.uniform(a, b))))
        else:
            out[name] = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    return out


class ModelAgent:
    """A traits.simulate par4 agent (its choices from the model; η = 0 makes it stationary)."""

    def __init__(self, rng: np.random.Generator, *, fixed: bool = False, audit: bool = False) -> None:
        values = _draw_audit_par4(rng) if audit else draw_agent("bart_par4", rng)
        if fixed:
            values["eta"] = 0.0
        self.values = [values[name] for name in AGENT_RANGES["bart_par4"]]

    def play(self, schedule: Sequence[dict[str, Any]], rng: np.random.Generator) -> Choices:
        return simulate_choices("bart_par4", self.values, schedule, rng)


class Pace:
    """Inter-pump intervals: gamma around an agent's own mean, the speed drifting between balloons."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.mean = float(rng.uniform(150, 600))
        self.rho = float(rng.uniform(0.0, 0.6))

    def trials(self, schedule: Sequence[dict[str, Any]], choices: Choices, rng: np.random.Generator) -> list[Trial]:
        speed = np.exp(_ar1(len(schedule), self.rho, 0.25, rng))
        out = []
        for i, (balloon, (pumps, exploded)) in enumerate(zip(schedule, choices, strict=True)):
            gaps = rng.gamma(4.0, self.mean * speed[i] / 4.0, size=pumps)
            ts = (10_000.0 * i + np.cumsum(gaps)).tolist()
            out.append(Trial(i, "blue", int(balloon["max_pumps"]), pumps, bool(exploded), 10_000.0 * i, ts, None))
        return out


AGENTS: dict[str, Callable[[np.random.Generator], Any]] = {
    "stationary": lambda rng: TargetAgent(rng),
    "trend": lambda rng: TargetAgent(rng, trend=float(rng.choice([-1, 1]) * rng.uniform(0.2, 1.0))),
    "loss": lambda rng: TargetAgent(rng, after_pop=float(rng.uniform(-12, 12))),
    "par4": lambda rng: ModelAgent(rng),
    "par4_fixed": lambda rng: ModelAgent(rng, fixed=True),
    "par4_audit": lambda rng: ModelAgent(rng, audit=True),
}


def _session(agent: Any, pace: Pace, balloons: int, rng: np.random.Generator) -> list[Trial]:
    schedule = uniform_schedule(balloons, CAPACITY, rng)
    return pace.trials(schedule, agent.play(schedule, rng), rng)


def _balloon_bootstrap(dim: mapping.Dimension, trials: list[Trial], rng: np.random.Generator) -> Any:
    """The 1.x interval, for comparison: single balloons resampled, plain 2.5/97.5 % percentiles."""
    s = mapping.Session.of(trials)
    units = len(trials) - (1 if dim.units == "pairs" else 0)
    values = dim.statistic(s, block_counts(units, 400, rng, 1))
    values = values[np.isfinite(values)]
    if values.size < 200:
        return None
    return float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))


def _fits(trials: list[Trial]) -> dict[str, dict[str, Any]]:
    """The pipeline's par4 fit of the session (its estimates drive the model replays)."""
    fit = fit_model("bart_par4", [t.pumps for t in trials], [int(t.exploded) for t in trials])
    return {"bart_par4": fit.as_dict()}


def coverage(kind: str, balloons: int, agents: int, replays: int, seed: int) -> dict[str, dict[str, Any]]:
    """Per dimension: agents scored, share covered (2.0.0 interval and 1.x balloon bootstrap), width ratio."""
    rng = np.random.default_rng([seed, balloons, list(AGENTS).index(kind)])
    tally: dict[str, dict[str, list[float]]] = {
        d.key: {"new": [], "old": [], "width": [], "widened": []} for d in mapping.DIMENSIONS
    }
    for _ in range(agents):
        agent, pace = AGENTS[kind](rng), Pace(rng)
        scored = _session(agent, pace, balloons, rng)
        profile = mapping.compute_profile(scored, _fits(scored), seed=int(rng.integers(0, 2**62)))
        replay_sessions = [_session(agent, pace, balloons, rng) for _ in range(replays)]
        for dim, got in zip(mapping.DIMENSIONS, profile["dimensions"], strict=True):
            if got["status"] != "ok" or not got["value_interval"]:
                continue
            expected = [v for t in replay_sessions if dim.enough(t) is None and (v := dim.value(t)) is not None]
            if len(expected) < replays // 2:
                continue  # the expected score is not defined for this agent (too few scorable replays)
            truth = float(np.mean(expected))
            old = _balloon_bootstrap(dim, scored, rng)
            if old is None:
                continue
            lo, hi = got["value_interval"]
            tally[dim.key]["new"].append(float(lo <= truth <= hi))
            tally[dim.key]["old"].append(float(old[0] <= truth <= old[1]))
            tally[dim.key]["width"].append((hi - lo) / max(old[1] - old[0], 1e-12))
            tally[dim.key]["widened"].append(float(got["interval_method"]["model_widening"]))
    return {
        key: {
            "n": len(t["new"]),
            "new": float(np.mean(t["new"])) if t["new"] else None,
            "old": float(np.mean(t["old"])) if t["old"] else None,
            "width_ratio": float(np.median(t["width"])) if t["width"] else None,
            "widened": float(np.median(t["widened"])) if t["widened"] else None,
        }
        for key, t in tally.items()
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=150)
    parser.add_argument("--replays", type=int, default=200)
    parser.add_argument("--balloons", type=int, nargs="+", default=[30, 90])
    parser.add_argument("--kinds", nargs="+", default=list(AGENTS), choices=list(AGENTS))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    print(f"{mapping.TRAITS_VERSION}: 95 % intervals covering the expected score (target 90–97 %)")
    print("agents       balloons  dimension            n   2.0.0 interval  1.x balloon bootstrap  width ratio  model ×")
    for balloons in args.balloons:
        for kind in args.kinds:
            started = time.perf_counter()
            rows = coverage(kind, balloons, args.agents, args.replays, args.seed)
            for key, row in rows.items():
                if not row["n"]:
                    print(f"{kind:<12} {balloons:>4}      {key:<17} {0:>4}   (not scorable)")
                    continue
                print(
                    f"{kind:<12} {balloons:>4}      {key:<17} {row['n']:>4}   {100 * row['new']:5.1f} %"
                    f"         {100 * row['old']:5.1f} %                {row['width_ratio']:4.2f}"
                    f"         {row['widened']:4.2f}"
                )
            print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
