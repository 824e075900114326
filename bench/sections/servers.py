"""Section 3: the `make run` server and the production settings, side by side, at 200 and 500 players.

Each run is section_concurrency (players at human pace, 3 % of batches retried, stored rows
checked against what was acknowledged) against one server, while a sampler counts the database's
connections (pg_stat_activity) every 0.5 s. The two servers alternate within each size, so a slow
spell of the VM falls on both.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg2

from bench.client import Http
from bench.sections.concurrency import section_concurrency
from bench.setup import Bench
from bench.stack import MakeRunServer


class ConnectionSampler:
    """Peak and mean connections to the bench database while a run lasts (its own connection)."""

    def __init__(self, database_url: str, every_s: float = 0.5) -> None:
        self.url, self.every_s = database_url, every_s
        self.samples: list[int] = []
        self.max_connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        conn = psycopg2.connect(self.url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SHOW max_connections")
            self.max_connections = int(cur.fetchone()[0])
            while not self._stop.is_set():
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
                self.samples.append(int(cur.fetchone()[0]) - 1)  # not the sampler's own
                self._stop.wait(self.every_s)
        conn.close()

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def summary(self) -> dict[str, Any]:
        peak = max(self.samples, default=0)
        return {
            "peak": peak,
            "mean": round(sum(self.samples) / len(self.samples), 1) if self.samples else None,
            "max_connections": self.max_connections,
            "peak_share": round(peak / self.max_connections, 3) if self.max_connections else None,
            "samples": len(self.samples),
        }


def section_servers(
    bench: Bench, production: Http, env: dict[str, str], *, sizes: tuple[int, ...], duration: float
) -> dict[str, Any]:
    makerun = MakeRunServer(env=env)
    makerun.start()
    runs: dict[str, Any] = {}
    try:
        servers = {"make_run": Http(makerun.port), "production": production}
        for size in sizes:
            for name, http in servers.items():
                print(f"[bench]   {name}, {size} participants ...", flush=True)
                with ConnectionSampler(os.environ["DATABASE_URL"]) as sampler:
                    run = section_concurrency(bench, http, participants=size, duration=duration)
                run["db_connections"] = sampler.summary()
                runs[f"{name}_{size}"] = run
    finally:
        makerun.stop()
    return {
        "servers": {
            "make_run": "scripts/run.sh: gunicorn gthread WEB_WORKERS=2 x WEB_THREADS=8, settings.local, "
            "Celery worker + beat",
            "production": "gunicorn gthread (bench stack), settings.bench (= production), Celery worker",
        },
        "duration_target_s": duration,
        "runs": runs,
    }
