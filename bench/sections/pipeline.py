"""Section 5: the science pipeline per session, and the MAP fit against a sampler on the same posterior.

Per simulated 30-balloon session (the standard task, behaviour from the par4 generative model):
metrics, both model fits (bart_par4, bart_ewmv) and the trait profile, timed in-process on the
pure modules. When the traits task is on main, completed sessions also go through the real path
(POST complete → Celery worker → rows written) and the time to `processed` is measured.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench.client import Http
from bench.mcmc import metropolis
from bench.setup import Bench
from bench.stats import spread


def _sessions(count: int) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    from games.config import normalize_game_config
    from games.schedule import draw_schedule
    from games.simulate import Par4Policy, simulate_session

    config = normalize_game_config({})
    out = []
    for i in range(count):
        schedule = [b.as_dict() for b in draw_schedule(f"bench-pipeline-{i}", config)]
        policy = Par4Policy(phi=0.85 + 0.1 * (i % 3) / 2, eta=0.02 + 0.02 * (i % 4), gamma=0.8 + 0.3 * (i % 2))
        out.append((schedule, simulate_session(schedule, policy, seed=i).events))
    return out


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def section_pipeline(bench: Bench, http: Http, *, sessions: int, mcmc_sessions: int) -> dict[str, Any]:
    from traits import bart_models, mapping, metrics

    sessions_data = _sessions(sessions)
    # The first fit in a process compiles the numba code (or loads it from traits/__pycache__):
    # a one-off per worker process, timed on its own and kept out of the per-session figures.
    t_first = time.perf_counter()
    first_schedule, first_events = sessions_data[0]
    first_trials = metrics.trials_from_events(first_schedule, first_events)
    for name in ("bart_par4", "bart_ewmv"):
        bart_models.fit_model(name, [t.pumps for t in first_trials], [int(t.exploded) for t in first_trials])
    first_call_ms = _ms(t_first)
    steps: dict[str, list[float]] = {"metrics": [], "fit_bart_par4": [], "fit_bart_ewmv": [], "traits": [], "total": []}
    balloons = []
    mcmc: list[dict[str, Any]] = []
    for n, (schedule, events) in enumerate(sessions_data):
        t0 = time.perf_counter()
        values = metrics.compute_metrics(schedule, events)
        steps["metrics"].append(_ms(t0))
        primary = metrics.primary_color(schedule)
        trials = [t for t in metrics.trials_from_events(schedule, events) if t.color == primary]
        pumps, exploded = [t.pumps for t in trials], [int(t.exploded) for t in trials]
        fits = {}
        for name in ("bart_par4", "bart_ewmv"):
            t1 = time.perf_counter()
            fits[name] = bart_models.fit_model(name, pumps, exploded)
            steps[f"fit_{name}"].append(_ms(t1))
        t2 = time.perf_counter()
        mapping.compute_profile(trials, {k: v.as_dict() for k, v in fits.items()}, seed=n)
        steps["traits"].append(_ms(t2))
        steps["total"].append(_ms(t0))
        balloons.append(values["n_scheduled"])
        if n < mcmc_sessions:
            mcmc.append(_against_sampler(bart_models, "bart_par4", pumps, exploded, fits["bart_par4"], seed=n))
    return {
        "end_to_end": _end_to_end(bench, http, count=min(10, sessions)) if http is not None else None,
        "sessions": sessions,
        "first_fits_in_process_ms": round(first_call_ms),
        "balloons_per_session": spread(balloons, 0),
        "per_session_ms": spread(steps["total"], 1),
        "steps_ms": {k: spread(v, 1) for k, v in steps.items() if k != "total"},
        "fits": {
            "fit_bart_par4 MAP": spread(steps["fit_bart_par4"], 1),
            "fit_bart_ewmv MAP": spread(steps["fit_bart_ewmv"], 1),
            "trait profile": spread(steps["traits"], 1),
            "fit_bart_par4 Metropolis": spread([m["ms"] for m in mcmc], 0),
        },
        "target_ms": 100,
        "reference_sampler": {
            "method": (
                "adaptive random-walk Metropolis (bench/mcmc.py), same compiled log posterior, 6000 draws, 2000 burn-in"
            ),
            "runs": mcmc,
            "speedup_map_over_sampler": round(
                float(np.median([m["ms"] for m in mcmc])) / float(np.median(steps["fit_bart_par4"])), 1
            )
            if mcmc
            else None,
        },
    }


def _against_sampler(
    bart_models: Any, name: str, pumps: list[int], exploded: list[int], fit: Any, seed: int
) -> dict[str, Any]:
    from traits import fitting

    model = bart_models.MODELS[name]
    # The sampler gets the same compiled posterior as the fit, so the comparison is of methods only.
    problem = fitting.Problem.of(model, bart_models.make_design(pumps, exploded))
    start = np.array([p.to_free(p.prior_center) for p in model.params])
    t0 = time.perf_counter()
    chain, acceptance = metropolis(lambda free: -problem.value_and_gradient(free)[0], start, seed=seed)
    ms = _ms(t0)
    medians = {p.name: p.to_natural(float(np.median(chain[:, i]))) for i, p in enumerate(model.params)}
    return {
        "ms": round(ms),
        "acceptance": round(acceptance, 2),
        "posterior_median": {k: round(v, 4) for k, v in medians.items()},
        "map": {k: round(v, 4) for k, v in fit.estimates.items()},
    }


def _end_to_end(bench: Bench, http: Http, *, count: int) -> dict[str, Any]:
    """Complete real sessions over HTTP; time until the Celery worker has them `processed`/`flagged`."""
    import importlib.util

    if importlib.util.find_spec("traits.tasks") is None:
        return {"skipped": "traits.tasks is not on main yet"}
    from bench.client import run_parallel
    from bench.sections.players import players

    group = players(bench, http, count)
    for p in group:
        for i in range(0, len(p.events), 500):
            http.post(
                bench.host,
                p.events_path,
                {"sent_at": int(time.time() * 1000), "events": p.events[i : i + 500]},
                token=p.token,
            )

    def complete_and_wait(p: Any) -> float | None:
        started = time.perf_counter()
        reply = http.post(bench.host, f"/api/v1/game/sessions/{p.session_id}/complete/", None, token=p.token)
        if reply.status not in (200, 202):
            return None
        while time.perf_counter() - started < 60:
            status = http.get(bench.host, f"/api/v1/game/sessions/{p.session_id}/", token=p.token).json()
            if status.get("status") in ("processed", "flagged"):
                return _ms(started)
            time.sleep(0.02)
        return None

    waits, _ = run_parallel([lambda p=p: complete_and_wait(p) for p in group], 2)
    done = [w for w in waits if w is not None]
    return {
        "sessions": count,
        "processed": len(done),
        "complete_to_processed_ms": spread(done, 0),
        "celery": "1 worker, concurrency 2; poll every 20 ms",
    }
