"""Section 6: exporting 1 million events — throughput and peak memory, each export in a fresh process.

The bench study is topped up to exactly ``rows`` events by copying its own rows with new event
ids (one INSERT ... SELECT in the database). Exports run the dashboard's own export_stream in a
fresh process (bench/export_probe.py), once before the top-up and then at full size, so memory can
be compared across a tenfold difference in rows; the same CSV is also fetched over HTTP from the
streaming endpoint while the gunicorn workers' RSS is sampled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

from django.db import connection
from django_tenants.utils import tenant_context

from bench.client import Http
from bench.setup import Bench
from bench.stack import ROOT, Stack
from bench.stats import spread


def top_up(bench: Bench, rows: int) -> dict[str, Any]:
    from games.models import Event

    columns = [f.column for f in Event._meta.concrete_fields if f.column not in ("id", "event_id")]
    cols = ", ".join(f'"{c}"' for c in columns)
    started = time.perf_counter()
    with tenant_context(bench.study), connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM games_event")
        have = cur.fetchone()[0]
        if have == 0:
            raise RuntimeError("no events to replicate: run the ingestion sections first")
        if have < rows:
            copies = -(-(rows - have) // have)
            cur.execute(
                f"INSERT INTO games_event (event_id, {cols}) SELECT gen_random_uuid(), {cols} "
                f"FROM games_event, generate_series(1, %s) LIMIT %s",
                [copies, rows - have],
            )
        elif have > rows:
            rows = have  # never delete what the other sections measured; export all of it
        cur.execute("ANALYZE games_event")
        cur.execute("SELECT count(*), pg_total_relation_size('games_event') FROM games_event")
        count, size = cur.fetchone()
    return {"rows": count, "table_mb": round(size / 2**20), "seconds": round(time.perf_counter() - started, 1)}


def _probe(fmt: str, traced: bool = False) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.export_probe", "--format", fmt]
    if traced:
        argv.append("--tracemalloc")
    done = subprocess.run(argv, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"export probe failed: {done.stderr[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _http_export(bench: Bench, http: Http, server: Stack) -> dict[str, Any] | None:
    """The dashboard's streamed download, if it exists; RSS of the gunicorn processes sampled meanwhile."""
    import psutil
    from django.urls import Resolver404, resolve

    try:
        resolve("/api/v1/export/", urlconf="bench.urls_tenants")
    except Resolver404:
        return None  # not on main yet: the in-process figures above are the measurement
    pids = server.pids("gunicorn")
    before = {pid: psutil.Process(pid).memory_info().rss for pid in pids}
    peak = dict(before)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in pids:
                try:
                    peak[pid] = max(peak[pid], psutil.Process(pid).memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    reply = http.get(bench.host, "/api/v1/export/?format=csv", token=bench.admin_token, scheme="Token")
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    lines = reply.body.count(b"\n") - 1
    return {
        "status": reply.status,
        "bytes": len(reply.body),
        "rows": lines,
        "seconds": round(seconds, 2),
        "rows_per_s": round(lines / seconds) if seconds else None,
        "worker_rss_growth_mb": round(max(peak[p] - before[p] for p in pids) / 2**20, 1),
    }


def section_export(bench: Bench, http: Http, server: Stack, *, rows: int, reps: int) -> dict[str, Any]:
    # Flatness: the same export before the top-up (what the other sections stored) and at `rows`.
    before = _probe("csv")
    psychds_before = _probe("psychds")
    data = top_up(bench, rows)
    csv_runs = [_probe("csv") for _ in range(reps)]
    psychds_run = _probe("psychds")
    traced = _probe("csv", traced=True)
    return {
        "data": data,
        "method": "dashboard.exports.export_stream (ordered trial-level CSV; Psych-DS zip) over server-side cursors",
        "rows": data["rows"],
        "rows_per_s": spread([r["rows_per_s"] for r in csv_runs], 0),
        "rss_growth_mb": spread([r["rss_growth_mb"] for r in csv_runs], 1),
        "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"],
        "flatness": {
            "rows_before_top_up": before["rows"],
            "rss_growth_mb_before_top_up": before["rss_growth_mb"],
            "rss_growth_mb_full": spread([r["rss_growth_mb"] for r in csv_runs], 1)["median"],
            "psychds_rows_before_top_up": psychds_before["rows"],
            "psychds_rss_growth_mb_before_top_up": psychds_before["rss_growth_mb"],
            "psychds_rss_growth_mb_full": psychds_run["rss_growth_mb"],
        },
        "psychds": psychds_run,
        "csv_runs": csv_runs,
        "traced_run": traced,
        "http": _http_export(bench, http, server),
    }
