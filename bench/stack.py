"""The production-style stack for the benchmark: PostgreSQL, Redis, gunicorn, a Celery worker.

No Django import here: the database URL must be known before Django's settings are read.
Everything runs against a dedicated bench database (dropped and recreated on each run) and a
dedicated Redis database number, so a running `make run` or another worktree is never touched.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "log" / "bench"
BENCH_SETTINGS = "research_platform.settings.bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_database_url() -> tuple[str, str]:
    """(URL of the bench database, how the server was found) from DATABASE_URL or the embedded cluster."""
    import psycopg2

    url = os.environ.get("DATABASE_URL")
    if url:
        parsed = urlparse(url)
        name = (parsed.path.lstrip("/") or "research_platform") + "_bench"
        admin_url = urlunparse(parsed._replace(path="/postgres"))
        source = "DATABASE_URL"
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

            data_dir = ROOT / ".pgdata"
            pgserver.get_server(str(data_dir), cleanup_mode=None)
        name = "research_platform_bench"
        admin_url = f"postgresql://postgres:@/postgres?host={data_dir}"
        parsed = urlparse(admin_url)
        source = f"embedded pgserver ({data_dir})"
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunparse(parsed._replace(path=f"/{name}")), source


def redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=0.5):
            return url
    except OSError:
        pass
    # No Redis where expected: start a throwaway one when the binary exists.
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(f"make bench needs Redis: none answers at {url} and redis-server is not installed.")
    port = _free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=(LOG_DIR / "redis.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    _STARTED.append(proc)
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}/0"


_STARTED: list[subprocess.Popen] = []


def bench_environment(database_url: str, broker: str) -> dict[str, str]:
    """Production-like settings with throwaway local secrets (never the published development key)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=BENCH_SETTINGS,
        DATABASE_URL=database_url,
        REDIS_URL=broker,
        REDIS_CACHE_URL=broker,
        SECRET_KEY=secrets.token_urlsafe(50),
        PLATFORM_MASTER_KEYS=base64.b64encode(secrets.token_bytes(32)).decode(),
        PLATFORM_AUDIT_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Stack:
    env: dict[str, str]
    workers: int
    threads: int
    celery_concurrency: int
    port: int = 0
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.env["PLATFORM_PORT"] = str(self.port)
        bin_dir = Path(sys.executable).parent
        gunicorn = [
            str(bin_dir / "gunicorn"),
            "research_platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--keep-alive",
            "30",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        celery = [
            str(bin_dir / "celery"),
            "-A",
            "research_platform",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={self.celery_concurrency}",
            "--without-gossip",
            "--without-mingle",
        ]
        for name, argv in (("gunicorn", gunicorn), ("celery", celery)):
            log = (LOG_DIR / f"{name}.log").open("w")
            self.procs[name] = subprocess.Popen(  # noqa: S603 - fixed argv
                argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise SystemExit(f"{name} exited early; see {LOG_DIR / (name + '.log')}")
            try:
                # A fixed http://127.0.0.1 URL built here, never user input.
                req = urllib.request.Request(self.base + "/healthz", headers={"Host": "localhost"})  # noqa: S310
                with urllib.request.urlopen(req, timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {LOG_DIR}")

    def pids(self, name: str) -> list[int]:
        """The master's and its children's pids (gunicorn workers, Celery pool processes)."""
        import psutil

        proc = self.procs.get(name)
        if proc is None:
            return []
        try:
            parent = psutil.Process(proc.pid)
            return [parent.pid] + [c.pid for c in parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        for proc in list(self.procs.values()) + _STARTED:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    proc.terminate()
        for proc in list(self.procs.values()) + _STARTED:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@dataclass
class MakeRunServer:
    """`make run`'s own server (scripts/run.sh: check_capacity, Celery worker + beat, gunicorn
    WEB_WORKERS x WEB_THREADS with settings.local), pointed at the bench database and Redis."""

    env: dict[str, str]
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return LOG_DIR / "make-run" / "run.log"

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        env = dict(
            self.env,
            DJANGO_SETTINGS_MODULE="research_platform.settings.local",
            PLATFORM_PORT=str(self.port),
            PLATFORM_BIND="127.0.0.1",
            PLATFORM_LOG_DIR=str(self.log.parent),
            BIN=str(Path(sys.executable).parent),
        )
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            ["bash", str(ROOT / "scripts" / "run.sh")],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"scripts/run.sh exited early; see {self.log}")
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{self.port}/healthz", headers={"Host": "localhost"})
                with urllib.request.urlopen(req, timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"scripts/run.sh did not answer /healthz within 120 s; see {self.log}")

    def stop(self) -> None:
        """Ctrl-C as a user gives it: SIGINT to the whole group; run.sh stops its children."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
