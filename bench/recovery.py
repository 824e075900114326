"""Parameter recovery of the model fits by pure simulation (docs/validation.md).

    python -m bench.recovery [--agents 40] [--seed 2026]
    python -m bench.recovery --plausible [--agents 200] [--studies 4] [--seed 2026]

`--plausible` draws agents from traits.simulate.PLAUSIBLE_RANGES (uniform on the free scale) and
reports, per parameter and for the identified combinations (par4 omega = -gamma / ln phi, EWMV l*), how well
one session's fit and the study-level fit (studies of 60 participants, 30-90 balloons) recover them
(r on the free scale) and how often their 95 % intervals contain the true value.

Agents with parameters drawn uniformly from traits.simulate.AGENT_RANGES play array-method
schedules (explosion point uniform on 1…128) of 30 and 90 balloons; `fit_model` fits them back.
Prints, per model and length, Pearson r of true vs fitted for every parameter, how many fits
converged and the median fit time. Seeded: the same arguments give the same table.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numpy as np

from traits.bart_models import MODELS, fit_model
from traits.hierarchical import derived_quantities, ewmv_stop_point, fit_study
from traits.simulate import draw_agent, draw_plausible_agent, simulate_choices, uniform_schedule


def _derived_truth(model: str, values: dict[str, float]) -> dict[str, float]:
    if model == "bart_par4":
        return {"omega": -values["gamma"] / math.log(values["phi"])}
    return {"stop_point": ewmv_stop_point(values["phi"], values["rho"], values["lambda"])}


def _summary(model: str, true: dict[str, list[float]], rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """r on the free scale (log for derived quantities) and 95 % coverage per parameter."""
    params = {p.name: p for p in MODELS[model].params}
    out = {}
    for name, values in true.items():
        t = np.array(values)
        e = np.array([row["estimates"][name] for row in rows], dtype=float)
        lo = np.array([(row["intervals"].get(name) or (np.nan, np.nan))[0] for row in rows], dtype=float)
        hi = np.array([(row["intervals"].get(name) or (np.nan, np.nan))[1] for row in rows], dtype=float)
        if name in params:
            ft = np.array([params[name].to_free(v) for v in t])
            fe = np.array([params[name].to_free(v) for v in e])
        else:  # derived quantities on the log scale; an infinite l* (never stops) is left out of r
            ok = np.isfinite(t) & np.isfinite(e) & (t > 0) & (e > 0)
            ft, fe = np.log(np.where(ok, t, np.nan)), np.log(np.where(ok, e, np.nan))
        finite = np.isfinite(fe) & np.isfinite(ft)
        out[name] = {
            "r": float(np.corrcoef(ft[finite], fe[finite])[0, 1]),
            "n_in_r": int(finite.sum()),
            "coverage": float(np.mean((lo <= t) & (t <= hi))),
            "n": int(t.size),
        }
    return out


def _session_row(model: str, fit: Any) -> dict[str, Any]:
    """A per-session fit in the shape of a study-level estimate, its derived quantities by the delta method."""
    params = MODELS[model].params
    x = np.array([p.to_free(fit.estimates[p.name]) for p in params])
    ses = [fit.standard_errors_free[p.name] for p in params]
    cov = np.diag([s * s for s in ses]) if all(s is not None for s in ses) else None
    derived = derived_quantities(model, x, cov)  # the diagonal only: what the stored fit keeps
    estimates = dict(fit.estimates) | {k: v["estimate"] for k, v in derived.items()}
    intervals = dict(fit.intervals) | {
        k: (v["low"], v["high"]) if v["low"] is not None else None for k, v in derived.items()
    }
    return {"estimates": estimates, "intervals": intervals}


def plausible_session(model: str, balloons: int, agents: int, seed: int) -> dict[str, Any]:
    """One session's MAP fit of agents from the plausible ranges."""
    rng = np.random.default_rng([seed, balloons, list(MODELS).index(model), 7])
    names = [p.name for p in MODELS[model].params]
    true: dict[str, list[float]] = {}
    rows = []
    for _ in range(agents):
        values = draw_plausible_agent(model, rng)
        choices = simulate_choices(model, [values[n] for n in names], uniform_schedule(balloons, 128, rng), rng)
        fit = fit_model(model, [c[0] for c in choices], [c[1] for c in choices])
        for name, value in (values | _derived_truth(model, values)).items():
            true.setdefault(name, []).append(value)
        rows.append(_session_row(model, fit))
    return _summary(model, true, rows)


def plausible_study(model: str, studies: int, participants: int, seed: int) -> dict[str, Any]:
    """The study-level fit of `studies` simulated studies; figures pooled over their participants."""
    from bench.reference import simulate_study

    true: dict[str, list[float]] = {}
    rows = []
    seconds = []
    for k in range(studies):
        truth, sessions = simulate_study(model, participants, seed + k)
        started = time.perf_counter()
        fit = fit_study(model, sessions)
        seconds.append(time.perf_counter() - started)
        for values, ind in zip(truth, fit.individuals, strict=True):
            for name, value in (values | _derived_truth(model, values)).items():
                true.setdefault(name, []).append(value)
            derived = ind.derived
            rows.append(
                {
                    "estimates": ind.estimates | {k2: v["estimate"] for k2, v in derived.items()},
                    "intervals": ind.intervals
                    | {k2: (v["low"], v["high"]) if v["low"] is not None else None for k2, v in derived.items()},
                }
            )
    return {"parameters": _summary(model, true, rows), "fit_seconds_median": float(np.median(seconds))}


def plausible(agents: int, studies: int, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in MODELS:
        out[model] = {
            "session_30": plausible_session(model, 30, agents, seed),
            "session_90": plausible_session(model, 90, agents, seed),
            "study_60": plausible_study(model, studies, 60, seed),
            "version": MODELS[model].version,
        }
    return out


def plausible_table(result: dict[str, Any]) -> str:
    lines = [
        "| model | parameter | r, 1 session of 30 | r, 1 session of 90 | r, study level | "
        "95 % coverage: session 30 / 90 / study |",
        "|---|---|---|---|---|---|",
    ]
    for model, out in result.items():
        study = out["study_60"]["parameters"]
        for name, row in study.items():
            s30, s90 = out["session_30"][name], out["session_90"][name]
            lines.append(
                f"| {model} | {name} | {s30['r']:.2f} | {s90['r']:.2f} | {row['r']:.2f} | "
                f"{s30['coverage']:.0%} / {s90['coverage']:.0%} / {row['coverage']:.0%} |"
            )
    return "\n".join(lines)


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
    parser.add_argument("--plausible", action="store_true", help="plausible ranges, session and study level")
    parser.add_argument("--studies", type=int, default=4, help="--plausible: studies of 60 participants")
    parser.add_argument("--json", default="", help="--plausible: also write the result here")
    args = parser.parse_args()
    if args.plausible:
        result = plausible(args.agents, args.studies, args.seed)
        print(plausible_table(result))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump(result, fh, indent=2)
        return
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
