"""A real server process (and optionally a real Celery worker) against the pytest test database.

Browser and integration tests cannot use pytest-django's `live_server`/`transactional_db`: their
flush would truncate the cloned study schemas. Instead a session fixture starts
`manage.py runserver --noreload --insecure` on a free port in a subprocess, pointed at the test
database by DATABASE_URL, and tests use a dedicated study whose rows are COMMITTED (created
outside any test transaction, like tests/conftest.py's alpha and beta) so the server sees them.

Use from a conftest:  `from tests.live import live_app_server, live_study  # noqa: F401`
(not named `live_server`: pytest-django would then pull in `transactional_db` and flush the studies)
or call `start_live_server(with_worker=True)` yourself for a Celery worker on Redis.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

# Debian's Chromium, driven by Playwright in every browser test (the Makefile installs it).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

ROOT = Path(__file__).resolve().parent.parent
LIVE_SLUG = "live"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url_for_tests() -> str:
    """A URL to the database the tests run against (the `test_...` one, once pytest-django set it up)."""
    from django.db import connection

    cfg = connection.settings_dict
    user = quote(cfg.get("USER") or "postgres")
    password = ":" + quote(cfg["PASSWORD"]) if cfg.get("PASSWORD") else ""
    host = cfg.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory (the embedded cluster)
        return f"postgresql://{user}{password}@/{cfg['NAME']}?host={host}"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"postgresql://{user}{password}@{host or '127.0.0.1'}{port}/{cfg['NAME']}"


@dataclass
class LiveServer:
    port: int
    processes: list[subprocess.Popen] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def url(self, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}"

    def study_url(self, slug: str) -> str:
        return f"http://{slug}.localhost:{self.port}"

    def request(
        self, method: str, host: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """An HTTP request to 127.0.0.1 with a chosen Host header (scripts need no DNS for *.localhost)."""
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=body,
            method=method,
            headers={"Host": f"{host}:{self.port}", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 (http to 127.0.0.1)
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        _wait_for_other_sessions_to_end(application_name=self.env.get("PGAPPNAME"))


def _wait_for_other_sessions_to_end(timeout: float = 10.0, application_name: str | None = None) -> None:
    """PostgreSQL ends a backend shortly after its client went: wait, or dropping the test database fails.

    With ``application_name`` (each process started here sets its own through PGAPPNAME), only that
    process's sessions are waited for: other servers still running keep theirs open.
    """
    from django.db import connection

    sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    params: list[str] = []
    if application_name:
        sql += " AND application_name = %s"
        params.append(application_name)
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(sql, params)
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def start_live_server(*, with_worker: bool = False, extra_env: dict[str, str] | None = None) -> LiveServer:
    """Start the server (and a worker) on the test database; the caller must `stop()` it."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(),
        "DJANGO_SETTINGS_MODULE": "research_platform.settings.test",
        "PLATFORM_PORT": str(port),
        "AXES_ENABLED": "false",
        "TEST_CELERY_EAGER": "false" if with_worker else "true",
        "PYTHONUNBUFFERED": "1",
        "PGAPPNAME": f"live-{port}",  # libpq: names this process's database sessions
        **(extra_env or {}),
    }
    server = LiveServer(port=port, env=env)
    log_dir = ROOT / "var" / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    server_log = (log_dir / f"live-server-{port}.log").open("wb")
    server.processes.append(
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
    )
    if with_worker:
        worker_log = (log_dir / f"live-worker-{port}.log").open("wb")
        server.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "research_platform",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.processes[0].poll() is not None:
            raise RuntimeError(f"the live server exited; see {server_log.name}")
        try:
            status, _ = server.request("GET", "localhost", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the live server did not answer within 30 s; see {server_log.name}")


def ensure_live_study(slug: str = LIVE_SLUG, game_config: dict[str, Any] | None = None) -> Any:
    """A recruiting study with a published consent document, committed (call inside db_blocker.unblock())."""
    from django_tenants.utils import tenant_context

    from consent.selectors import consent_document_current
    from consent.services import consent_document_draft, consent_document_publish
    from dashboard.services import study_create_with_settings
    from tenants.models import Study

    study = Study.objects.filter(slug=slug).first()
    if study is None:
        study = study_create_with_settings(
            acting_user=None, as_manager=False, slug=slug, title=f"Live study {slug}", game_config=game_config
        )
    Study.objects.filter(pk=study.pk).update(status=Study.Status.RECRUITING)
    study.refresh_from_db()
    with tenant_context(study):
        if consent_document_current() is None:
            consent_document_publish(
                document=consent_document_draft(version="1.0", title="Consent", body="You may stop at any time.")
            )
    return study


@pytest.fixture(scope="session")
def live_study(django_db_setup, django_db_blocker) -> Any:  # type: ignore[no-untyped-def]
    """The committed `live` study: 10 standard balloons, so a browser plays a whole session quickly."""
    with django_db_blocker.unblock():
        return ensure_live_study(game_config={"balloons_per_color": 10})


@pytest.fixture(scope="session")
def live_app_server(django_db_setup, django_db_blocker) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A running server on the test database (eager Celery). Stopped before the database is dropped."""
    with django_db_blocker.unblock():
        server = start_live_server()
    yield server
    with django_db_blocker.unblock():
        server.stop()


@pytest.fixture(scope="session")
def live_server_with_worker(django_db_setup, django_db_blocker) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A running server plus a real Celery worker on Redis (skipped when Redis does not answer)."""
    from research_platform.services_config import DEFAULT_REDIS_URL, redis_reachable

    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if not redis_reachable(url):
        pytest.skip("a real worker needs Redis")
    with django_db_blocker.unblock():
        server = start_live_server(with_worker=True, extra_env={"REDIS_URL": url})
    yield server
    with django_db_blocker.unblock():
        server.stop()
