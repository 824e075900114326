"""The study-level fit next to hBayesDM's own Stan models on the same simulated studies (docs/validation.md).

    python -m bench.reference [--models bart_par4,bart_ewmv] [--participants 40] [--seed 2026]
                              [--chains 2 --warmup 500 --draws 500]

A study of simulated agents (parameters drawn from traits.simulate.PLAUSIBLE_RANGES, 30-90
balloons each on the array method's 1-128 explosion points) is fitted twice: by the platform's
empirical-Bayes fit (traits.hierarchical.fit_study) and by NUTS on hBayesDM's bart_par4.stan /
bart_ewmv.stan (bench/hbayesdm.py reads them from the fetched mirror; without the mirror or
pystan the section says so and is skipped). Reported per parameter: Pearson r and mean |diff|
between the platform's estimates and hBayesDM's posterior means (r on the free scale -- log or
logit -- since the parameters span orders of magnitude), the share of agents whose true value lies
in each method's 95 % interval, and the wall time of each with the ratio.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numpy as np

from bench import hbayesdm
from traits.bart_models import MODELS
from traits.hierarchical import ewmv_stop_point, fit_study
from traits.simulate import draw_plausible_agent, simulate_choices, uniform_schedule

STAN_NAMES = {"gamma": "gam"}  # the platform's parameter name -> hBayesDM's, where they differ


def simulate_study(
    model: str, participants: int, seed: int
) -> tuple[list[dict[str, float]], list[tuple[list[int], list[int]]]]:
    rng = np.random.default_rng([seed, list(MODELS).index(model), participants])
    names = [p.name for p in MODELS[model].params]
    truth, sessions = [], []
    for _ in range(participants):
        values = draw_plausible_agent(model, rng)
        balloons = int(rng.integers(30, 91))
        choices = simulate_choices(model, [values[n] for n in names], uniform_schedule(balloons, 128, rng), rng)
        truth.append(values)
        sessions.append(([c[0] for c in choices], [c[1] for c in choices]))
    return truth, sessions


def _free(model: str, name: str, values: Any) -> np.ndarray:
    param = next(p for p in MODELS[model].params if p.name == name)
    return np.array([param.to_free(float(v)) for v in values])


def _with_derived(model: str, truth: list[dict[str, float]]) -> list[dict[str, float]]:
    if model != "bart_par4":
        return [{**t, "stop_point": ewmv_stop_point(t["phi"], t["rho"], t["lambda"])} for t in truth]
    return [{**t, "omega": -t["gamma"] / math.log(t["phi"])} for t in truth]


def _stop_points(phi: np.ndarray, rho: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """traits.hierarchical.ewmv_stop_point on arrays of draws (inf where no stop is worth it)."""
    a = rho * phi * (1.0 - phi)
    disc = phi * phi - 4.0 * a
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(np.abs(a) < 1e-12, 1.0 / phi, (phi - np.sqrt(np.maximum(disc, 0.0))) / (2.0 * a))
        out = 1.0 + (v - 1.0) / lam
    return np.where(disc < 0, np.inf, out)


def compare(
    model: str, participants: int, seed: int, chains: int, warmup: int, draws: int, max_depth: int = 8
) -> dict[str, Any]:
    truth, sessions = simulate_study(model, participants, seed)
    truth = _with_derived(model, truth)
    fit_study(model, sessions[:3], max_iter=2)  # numba's compile or cache load is not the fit's time
    started = time.perf_counter()
    platform = fit_study(model, sessions)
    platform_s = time.perf_counter() - started
    names_all = [p.name for p in MODELS[model].params]
    starts = {STAN_NAMES.get(n, n): np.array([ind.estimates[n] for ind in platform.individuals]) for n in names_all}
    reference = hbayesdm.sample(
        model,
        sessions,
        chains=chains,
        warmup=warmup,
        draws=draws,
        seed=seed,
        init=hbayesdm.inits(model, starts, chains, seed),
        max_depth=max_depth,
    )
    draws_of = dict(reference["draws"])
    names = [p.name for p in MODELS[model].params]
    if model == "bart_par4":
        draws_of["omega"] = -draws_of["gam"] / np.log(draws_of["phi"])
        derived = "omega"
    else:
        draws_of["stop_point"] = _stop_points(draws_of["phi"], draws_of["rho"], draws_of["lambda"])
        derived = "stop_point"
    names.append(derived)
    rows = {}
    for name in names:
        stan = draws_of[STAN_NAMES.get(name, name)]
        # The posterior mean, except for a derived quantity that can be infinite (l*): its median.
        ref_mean = np.median(stan, axis=1) if name == "stop_point" else stan.mean(axis=1)
        ref_lo, ref_hi = np.percentile(stan, 2.5, axis=1), np.percentile(stan, 97.5, axis=1)
        if name == derived:
            values = [ind.derived[name] for ind in platform.individuals]
            est = np.array([v["estimate"] if v["estimate"] is not None else np.nan for v in values], dtype=float)
            lo = np.array([v["low"] if v["low"] is not None else np.nan for v in values], dtype=float)
            hi = np.array([v["high"] if v["high"] is not None else np.nan for v in values], dtype=float)

            def scale(v: Any) -> np.ndarray:
                with np.errstate(invalid="ignore", divide="ignore"):
                    return np.log(np.asarray(v, dtype=float))
        else:
            est = np.array([ind.estimates[name] for ind in platform.individuals])
            lo = np.array([(ind.intervals[name] or (np.nan, np.nan))[0] for ind in platform.individuals])
            hi = np.array([(ind.intervals[name] or (np.nan, np.nan))[1] for ind in platform.individuals])

            def scale(v: Any, name: str = name) -> np.ndarray:
                return _free(model, name, v)

        true = np.array([t[name] for t in truth], dtype=float)
        both = np.isfinite(scale(est)) & np.isfinite(scale(ref_mean))
        with_true = np.isfinite(scale(true))
        rows[name] = {
            "r_platform_vs_hbayesdm": float(np.corrcoef(scale(est)[both], scale(ref_mean)[both])[0, 1]),
            "mean_abs_diff": float(np.mean(np.abs(est - ref_mean)[both])),
            "n_compared": int(both.sum()),
            "mean_true": float(np.mean(true[with_true])),
            "r_platform_vs_true": float(np.corrcoef(scale(est)[both & with_true], scale(true)[both & with_true])[0, 1]),
            "r_hbayesdm_vs_true": float(
                np.corrcoef(scale(ref_mean)[both & with_true], scale(true)[both & with_true])[0, 1]
            ),
            "coverage_platform": float(np.mean((lo <= true) & (true <= hi))),
            "coverage_hbayesdm": float(np.mean((ref_lo <= true) & (true <= ref_hi))),
        }
    return {
        "model": model,
        "participants": participants,
        "balloons": [len(p) for p, _ in sessions],
        "seed": seed,
        "nuts": {"chains": chains, "warmup": warmup, "draws": draws, "max_depth": max_depth},
        "nuts_diagnostics": reference.get("diagnostics", {}),
        "parameters": rows,
        "platform_seconds": platform_s,
        "platform_iterations": platform.iterations,
        "platform_converged": platform.converged,
        "hbayesdm_sample_seconds": reference["sample_seconds"],
        "hbayesdm_build_seconds": reference["build_seconds"],
        "speed_ratio": reference["sample_seconds"] / platform_s,
        "population": platform.population,
        "version": platform.version,
    }


def run(
    models: list[str], participants: int, seed: int, chains: int, warmup: int, draws: int, max_depth: int = 8
) -> dict[str, Any]:
    """The section's result: one comparison per model, or the reason it could not run."""
    try:
        hbayesdm.stan_source(models[0])
        hbayesdm._stan()
    except hbayesdm.Unavailable as exc:
        return {"skipped": str(exc)}
    return {model: compare(model, participants, seed, chains, warmup, draws, max_depth) for model in models}


def table(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"reference comparison skipped: {result['skipped']}"
    lines = []
    for model, out in result.items():
        if not isinstance(out, dict) or "parameters" not in out:
            continue
        lines.append(
            f"\n{model}: {out['participants']} participants, {min(out['balloons'])}-{max(out['balloons'])} balloons, "
            f"NUTS {out['nuts']['chains']} chains x ({out['nuts']['warmup']} warm-up + {out['nuts']['draws']} draws)"
        )
        lines.append("| parameter | r (platform vs hBayesDM) | mean abs diff | coverage platform | coverage hBayesDM |")
        lines.append("|---|---|---|---|---|")
        for name, row in out["parameters"].items():
            lines.append(
                f"| {name} | {row['r_platform_vs_hbayesdm']:.3f} | {row['mean_abs_diff']:.4g} "
                f"(mean true {row['mean_true']:.4g}) | {row['coverage_platform']:.0%} "
                f"| {row['coverage_hbayesdm']:.0%} |"
            )
        lines.append(
            f"wall time: platform {out['platform_seconds']:.2f} s, "
            f"hBayesDM NUTS {out['hbayesdm_sample_seconds']:.0f} s "
            f"(+ {out['hbayesdm_build_seconds']:.0f} s build), ratio {out['speed_ratio']:.0f}x"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="bart_par4,bart_ewmv")
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--max-depth", type=int, default=8, help="NUTS maximum tree depth")
    parser.add_argument("--json", default="", help="also write the result here")
    args = parser.parse_args()
    result = run(
        args.models.split(","), args.participants, args.seed, args.chains, args.warmup, args.draws, args.max_depth
    )
    print(table(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2, default=float)


if __name__ == "__main__":
    main()
