"""Real services to break on purpose: a Redis, a PostgreSQL cluster and Celery workers of the test's own.

Nothing here touches the machine's Redis (6379) or PostgreSQL (5432): each fault test starts its own
instance on a free port (Redis) or Unix socket in a temporary directory (PostgreSQL, from the pgserver
wheel's binaries, run as pgserver's system user when the tests run as root), and stops it afterwards.
The HTTP participant retries like the browser client (games/static/games/play.js): the same batch with
the same event ids, with backoff, on a network error, a 5xx or a 429.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from games.simulate import TargetPolicy, batches, simulate_session
from tests.live import ROOT, LiveServer, free_port

LOG_DIR = ROOT / "var" / "test-logs"


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"redis on port {port} did not answer within {timeout} s")


class RedisServer:
    """`redis-server --port <free> --save ''` in a subprocess; stop() and start() again on the same port."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:  # `make test` installs it (system-deps); say so instead of skipping
            raise RuntimeError("redis-server is missing: run `make system-deps` (installs redis-server)")
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=(LOG_DIR / f"fault-redis-{self.port}.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def command(self, *args: str) -> str:
        cli = shutil.which("redis-cli") or "redis-cli"
        return subprocess.run(
            [cli, "-p", str(self.port), *args], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory (Unix socket only), started, stopped and removed here."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver

        self.pgdata = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.server = pgserver.get_server(str(self.pgdata), cleanup_mode=None)
        self.user = self.server.system_user  # "pgserver" when running as root, else None
        self.socket_dir = self.server.get_postmaster_info().socket_dir

    def url(self, database: str) -> str:
        return f"postgresql://postgres:@/{database}?host={self.socket_dir}"

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self.user, timeout=60)

    def stop(self) -> None:
        """A fast shutdown, as `pg_ctl restart -m fast` does: open sessions are ended, transactions rolled back."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.pgdata, ignore_errors=True)


def start_worker(
    env: dict[str, str], name: str, *, beat_schedule: Path | None = None, include: list[str] | None = None
) -> subprocess.Popen:
    """A Celery worker (solo pool: the task runs in this very process, so SIGKILL ends it mid-task).

    ``include`` names extra modules the worker imports at start-up (Celery's ``-I``): test-only
    bootstraps such as tests/security/slow_pipeline_worker.py, which change the worker's own process.
    """
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "celery", "-A", "research_platform", "worker", "--pool=solo"]
    args += ["--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"]
    if include:
        args += ["-I", ",".join(include)]
    if beat_schedule is not None:
        args += ["-B", "-s", str(beat_schedule)]  # embedded beat: the periodic sweep runs too
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=worker_log(name).open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def worker_log(name: str) -> Path:
    return LOG_DIR / f"fault-worker-{name}.log"


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its children (the embedded beat): no clean-up code runs."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_for(predicate: Any, timeout: float, interval: float = 0.2) -> Any:
    """Poll until predicate() is truthy; return its value (or the last falsy one at the deadline)."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


@dataclass
class Participant:
    """A participant's HTTP client on the live server's study host (bearer token once enrolled)."""

    server: LiveServer
    slug: str
    token: str | None = None
    failures: int = 0  # attempts answered by a network error, a 5xx or a 429
    successes_at: list[float] = field(default_factory=list)
    failures_at: list[float] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        status, raw = self.server.request(method, f"{self.slug}.localhost", path, data, headers)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw[:200]

    def call_retrying(self, method: str, path: str, body: Any = None, *, timeout: float = 45.0) -> tuple[int, Any]:
        """Like the browser: the same request again after a failure, backing off 0.2 s → 2 s."""
        deadline = time.monotonic() + timeout
        backoff = 0.2
        while True:
            try:
                status, answer = self.call(method, path, body)
            except (OSError, http.client.HTTPException):
                status, answer = 0, None
            if status and status < 500 and status != 429:
                self.successes_at.append(time.monotonic())
                return status, answer
            self.failures += 1
            self.failures_at.append(time.monotonic())
            if time.monotonic() > deadline:
                return status, answer
            time.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def enrol(self) -> None:
        status, document = self.call_retrying("GET", "/api/v1/consent/")
        assert status == 200, document
        status, body = self.call_retrying(
            "POST",
            "/api/v1/participants/",
            {"consent_version": document["version"], "consent_sha256": document["sha256"], "agree": True},
        )
        assert status in (200, 201), body
        self.token = body["token"]

    def start_session(self) -> dict[str, Any]:
        status, body = self.call_retrying("POST", "/api/v1/game/sessions/", {"client_info": {"ua": "fault-test"}})
        assert status in (200, 201), body
        return body


@dataclass
class PlayRecord:
    """What one simulated participant sent and what the server said about it."""

    session_id: str = ""
    sent_ids: list[str] = field(default_factory=list)
    batches_total: int = 0
    batches_acked: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    complete_status: int = 0
    error: str = ""


def simulated_events(session: dict[str, Any], target: float = 8.0) -> list[dict[str, Any]]:
    return simulate_session(
        session["balloons"], TargetPolicy(target=target, jitter=2.0), seed=session["session_id"]
    ).events


def play_through(
    participant: Participant,
    record: PlayRecord,
    *,
    batch_size: int = 10,
    pause: float = 0.0,
    progress: threading.Event | None = None,
) -> None:
    """Enrol, start, send every batch (retrying each until acknowledged) and complete; fill `record`."""
    try:
        participant.enrol()
        session = participant.start_session()
        record.session_id = session["session_id"]
        events = simulated_events(session)
        record.sent_ids = [e["event_id"] for e in events]
        chunks = batches(events, batch_size)
        record.batches_total = len(chunks)
        path = f"/api/v1/game/sessions/{record.session_id}/events/"
        for chunk in chunks:
            status, body = participant.call_retrying(
                "POST", path, {"sent_at": int(time.time() * 1000), "events": chunk}
            )
            assert status == 200, (status, body)
            record.batches_acked += 1
            record.accepted += body["accepted"]
            record.duplicates += body["duplicates"]
            record.rejected += len(body["rejected"])
            if progress is not None:
                progress.set()
            if pause:
                time.sleep(pause)
        status, body = participant.call_retrying("POST", f"/api/v1/game/sessions/{record.session_id}/complete/", {})
        record.complete_status = status
    except Exception as exc:  # reported by the test, which fails on any error
        record.error = f"{type(exc).__name__}: {exc}"


def record_figures(name: str, figures: dict[str, Any]) -> None:
    """Keep the measured figures of the last run (var/test-logs/fault-figures.json) for docs/security.md."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / "fault-figures.json"
    try:
        known = json.loads(path.read_text())
    except (OSError, ValueError):
        known = {}
    known[name] = figures
    path.write_text(json.dumps(known, indent=2, sort_keys=True))
    print(f"\n{name}: {json.dumps(figures, sort_keys=True)}")
