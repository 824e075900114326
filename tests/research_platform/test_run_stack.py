"""`make run`'s stack as a user starts it (scripts/run.sh: check_capacity, gunicorn, Celery worker and
beat) on the test database: a burst of 30 concurrent visitors gets no 5xx and no debug page, the
database connections stay within the bound check_capacity promised, and Ctrl-C stops every process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live import ROOT, _wait_for_other_sessions_to_end, database_url_for_tests, free_port, live_study  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

WORKERS, THREADS, CONCURRENCY = 2, 4, 1
BOUND = WORKERS * THREADS + CONCURRENCY + 2


def _get(port: int, host: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": f"{host}:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _connections(application_name: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name])
        return int(cursor.fetchone()[0])


def test_the_run_stack_takes_a_burst_without_5xx_and_with_bounded_connections(live_study, django_db_blocker):  # noqa: F811
    port = free_port()
    app = f"run-{port}"
    log_dir = ROOT / "var" / "test-logs" / app
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "research_platform.settings.local",  # what `make run` uses
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": os.environ.get("RUN_TEST_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "PLATFORM_PORT": str(port),
        "PLATFORM_BIND": "127.0.0.1",
        "PLATFORM_LOG_DIR": str(log_dir),
        "WEB_WORKERS": str(WORKERS),
        "WEB_THREADS": str(THREADS),
        "CELERY_CONCURRENCY": str(CONCURRENCY),
        "PGAPPNAME": app,  # libpq: every process of the stack names its database sessions
        "AXES_ENABLED": "false",
        "RATE_LIMITS_ENABLED": "false",
    }
    env.pop("DEBUG", None)
    with (log_dir / "run.log").open("wb") as log:
        process = subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (log_dir / "run.log").read_text()[-3000:]
            try:
                if _get(port, "localhost", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the stack did not answer within 60 s"
            time.sleep(0.3)

        host = f"{live_study.slug}.localhost"
        paths = [
            (host, "/"),
            (host, "/consent/"),
            (host, "/play/"),
            (host, "/my-data/"),
            (host, "/api/v1/consent/"),
            ("localhost", "/healthz"),
            (host, "/static/css/site.css"),
            (host, "/no-such-page/"),
        ]
        peak = 0

        def visitor(n: int) -> list[tuple[int, bytes]]:
            return [_get(port, *paths[(n + i) % len(paths)]) for i in range(16)]

        with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=30) as pool:
            futures = [pool.submit(visitor, n) for n in range(30)]
            while not all(f.done() for f in futures):
                peak = max(peak, _connections(app))
                time.sleep(0.05)
            answers = [a for f in futures for a in f.result()]
            peak = max(peak, _connections(app))
        statuses = sorted({status for status, _ in answers})
        assert len(answers) == 480 and all(status < 500 for status in statuses), statuses
        assert 404 in statuses and 200 in statuses
        assert not any(b"Traceback" in body or b"DEBUG = True" in body for _, body in answers)  # no debug page
        assert 0 < peak <= BOUND, (peak, BOUND)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        code = process.wait(timeout=40)
    assert code == 0, (log_dir / "run.log").read_text()[-3000:]
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # no process of the stack is left
    with django_db_blocker.unblock():
        _wait_for_other_sessions_to_end(application_name=app)  # before the test database is dropped
