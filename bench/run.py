"""`make bench`: start the production-style stack, run every section, print a table, write JSON.

    python -m bench.run [--quick] [--only provisioning,ingestion,...] [--studies 500]

Sections run in one process against one stack so their figures are comparable; a section that
fails is recorded with its error and the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import stack

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = (
    "ingestion",
    "request_cost",
    "questionnaire",
    "naive",
    "servers",
    "pipeline",
    "export",
    "provisioning",
    "models",
)


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the harness (not for figures)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--studies", type=int, default=500, help="studies for the scale comparison")
    parser.add_argument("--participants", default="200,500", help="section 3 participant counts, comma-separated")
    parser.add_argument("--duration", type=float, default=60.0, help="section 3 seconds of play (>= 60 for figures)")
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_CLIENTS", "8")))
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.studies = min(args.studies, 20)
        args.participants = "20,40"
        args.duration = min(args.duration, 10.0)
        args.export_rows = min(args.export_rows, 50_000)
    return args


def _section(results: dict[str, Any], name: str, fn: Callable[[], Any]) -> Any:
    print(f"[bench] {name} ...", flush=True)
    started = time.perf_counter()
    try:
        value = fn()
    except Exception as exc:  # one failing section must not hide the others
        traceback.print_exc()
        value = {"error": f"{type(exc).__name__}: {exc}"}
    seconds = round(time.perf_counter() - started, 1)
    if isinstance(value, dict):
        value.setdefault("section_seconds", seconds)
    results["sections"][name] = value
    _write(results)  # after every section: an interrupted run keeps what it measured
    print(f"[bench] {name} done in {seconds} s", flush=True)
    return value


_OUTPUT: list[str] = []


def _write(results: dict[str, Any]) -> None:
    if _OUTPUT:
        RESULTS.mkdir(parents=True, exist_ok=True)
        Path(_OUTPUT[0]).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    wanted = set(args.only.split(","))
    _OUTPUT[:] = [args.output]
    total_started = time.perf_counter()
    db_url, db_source = stack.bench_database_url()
    broker = stack.redis_url()
    env = stack.bench_environment(db_url, broker)
    os.environ.update(env)  # this process uses the very settings the servers use

    import django
    import redis

    redis.Redis.from_url(broker).flushdb()  # the dedicated bench Redis database only
    django.setup()
    from bench import machine, report, setup
    from bench.client import Http

    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "make bench" + (" (quick)" if args.quick else ""),
        "quick": args.quick,
        "machine": machine.describe(broker),
        "stack": {
            "database": db_source,
            "broker": "redis (dedicated database number)",
            "web": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
            "celery": "1 worker process, concurrency 2",
            "settings": stack.BENCH_SETTINGS,
            "client_connections": args.clients,
        },
        "sections": {},
    }
    print(f"[bench] database: {db_source}; migrating ...", flush=True)
    results["stack"]["migrate_seconds"] = round(setup.migrate(), 1)
    bench = setup.prepare()
    server = stack.Stack(env=env, workers=args.workers, threads=args.threads, celery_concurrency=2)
    try:
        server.start()
        http = Http(server.port)
        _run_sections(results, wanted, args, bench, server, http, env)
    finally:
        server.stop()
    results["total_seconds"] = round(time.perf_counter() - total_started, 1)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _write(results)
    print(report.table(results))
    print(f"\n[bench] wrote {args.output} in {results['total_seconds']} s", flush=True)
    return 0


def _run_sections(
    results: dict[str, Any],
    wanted: set[str],
    args: argparse.Namespace,
    bench: Any,
    server: stack.Stack,
    http: Any,
    env: dict[str, str],
) -> None:
    from bench.sections import provisioning

    reps = 2 if args.quick else 3
    ingest_probe = None
    if wanted & {"ingestion", "naive", "provisioning"}:
        ingest_probe = _ingest_probe(bench, http)

    one_study: dict[str, Any] = {}
    if "provisioning" in wanted:
        one_study = _section(results, "latency_1_study", lambda: provisioning.latency(bench, http, ingest=ingest_probe))
        results["sections"].pop("latency_1_study", None)

    if "ingestion" in wanted:
        from bench.sections.ingestion import section_ingestion

        events = 3000 if args.quick else 30000  # long enough runs: 10k-event runs varied by 2x
        _section(
            results,
            "ingestion",
            lambda: section_ingestion(bench, http, clients=args.clients, events_per_run=events, reps=reps),
        )
    if "naive" in wanted:
        from bench.sections.ingestion import section_naive

        events = 400 if args.quick else 1000
        _section(
            results, "naive", lambda: section_naive(bench, http, clients=args.clients, events_per_run=events, reps=reps)
        )
    if "request_cost" in wanted:
        from bench.sections.request_cost import section_request_cost

        _section(
            results,
            "request_cost",
            lambda: section_request_cost(bench, batch=50, requests=60 if args.quick else 300, rounds=reps),
        )
    if "questionnaire" in wanted:
        from bench.sections.questionnaire import section_questionnaire

        _section(
            results,
            "questionnaire",
            lambda: section_questionnaire(bench, requests=40 if args.quick else 200, rounds=reps),
        )
    if "servers" in wanted:
        from bench.sections.servers import section_servers

        sizes = tuple(int(n) for n in str(args.participants).split(","))
        _section(results, "servers", lambda: section_servers(bench, http, env, sizes=sizes, duration=args.duration))

    if "pipeline" in wanted:
        from bench.sections.pipeline import section_pipeline

        _section(
            results,
            "pipeline",
            lambda: section_pipeline(
                bench, http, sessions=10 if args.quick else 30, mcmc_sessions=2 if args.quick else 3
            ),
        )
    if "export" in wanted:
        from bench.sections.export import section_export

        _section(results, "export", lambda: section_export(bench, http, server, rows=args.export_rows, reps=reps))

    if "models" in wanted:
        from bench.sections.models import section_models

        # --quick: the harness only (a small study, short chains); figures come from the full run.
        sizes = {"participants": 40, "warmup": 100, "draws": 100, "agents": 20, "studies": 1} if args.quick else {}
        _section(results, "models", lambda: section_models(**sizes))

    if "provisioning" in wanted:

        def scale() -> dict[str, Any]:
            # The 1-study baseline again, now, under the same table sizes the many-study figure will see.
            baseline = provisioning.latency(bench, http, ingest=ingest_probe)
            creation = provisioning.creation_times(clones=5 if args.quick else 10, migrations=2 if args.quick else 5)
            grown = provisioning.grow_to(
                args.studies + 1,
                clone_budget_s=5 if args.quick else 150,
                on_progress=lambda msg: print(f"[bench]   {msg}", flush=True),
            )
            many = provisioning.latency(bench, http, ingest=ingest_probe)
            return {
                "creation": creation,
                "bulk_clone": grown,
                "latency_1_study": baseline,
                "latency_1_study_at_start": one_study,
                "latency_many_studies": many,
                "ratio_many_over_one": provisioning.compare(baseline, many),
            }

        _section(results, "provisioning", scale)


def _ingest_probe(bench: Any, http: Any) -> Callable[[int], Any]:
    """One ingestion request of 50 events per call, on sessions that are never exhausted."""
    from bench.sections.players import players

    queue: list[tuple[Any, list[dict[str, Any]]]] = []

    def send(_n: int) -> Any:
        if not queue:  # fresh sessions (made outside the timed request)
            for player in players(bench, http, 20):
                queue.extend((player, player.events[i : i + 50]) for i in range(0, len(player.events), 50))
        player, batch = queue.pop(0)
        return http.post(
            bench.host, player.events_path, {"sent_at": int(time.time() * 1000), "events": batch}, token=player.token
        )

    return send


if __name__ == "__main__":
    sys.exit(main())
