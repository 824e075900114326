"""Parameter recovery of the model fits by pure simulation (docs/validation.md, section 1).

    python -m bench.recovery [--agents 40] [--seed 2026]

Agents with parameters drawn uniformly from traits.simulate.AGENT_RANGES play array-method
schedules (explosion point uniform on 1…128) of 30 and 90 balloons; `fit_model` fits them back.
Prints, per model and length, Pearson r of true vs fitted for every parameter, how many fits
converged and the median fit time. Seeded: the same arguments give the same table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from traits.bart_models import MODELS, fit_model
from traits.simulate import draw_agent, simulate_choices, uniform_schedule


def recover(model: str, balloons: int, agents: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng([seed, balloons, list(MODELS).index(model)])
    names = [p.name for p in MODELS[model].params]
    true: dict[str, list[float]] = {n: [] for n in names}
    got: dict[str, list[float]] = {n: [] for n in names}
    converged, times = 0, []
    for _ in range(agents):
        values = draw_agent(model, rng)
        choices = simulate_choices(model, [values[n] for n in names], uniform_schedule(balloons, 128, rng), rng)
        started = time.perf_counter()
        fit = fit_model(model, [c[0] for c in choices], [c[1] for c in choices])
        times.append((time.perf_counter() - started) * 1000)
        converged += fit.converged
        for n in names:
            true[n].append(values[n])
            got[n].append(fit.estimates[n])
    return {
        "r": {n: float(np.corrcoef(true[n], got[n])[0, 1]) for n in names},
        "converged": converged,
        "fit_ms_median": float(np.median(times)),
        "version": MODELS[model].version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print("| model, balloons | r per parameter (true vs fitted) | converged | median fit ms |")
    print("|---|---|---|---|")
    for model in MODELS:
        for balloons in (30, 90):
            out = recover(model, balloons, args.agents, args.seed)
            rs = ", ".join(f"{n} {r:.2f}" for n, r in out["r"].items())  # type: ignore[union-attr]
            ms = f"{out['fit_ms_median']:.1f}"
            print(f"| {out['version']}, {balloons} | {rs} | {out['converged']}/{args.agents} | {ms} |")


if __name__ == "__main__":
    main()
