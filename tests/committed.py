"""Committed data for integration tests: dedicated studies, a real Celery worker on its own Redis queue.

A real worker (another process) and concurrent writers (other connections) only see COMMITTED rows,
and audit entries can never be deleted (the database refuses DELETE and TRUNCATE on the log), so
these tests must not write into the shared alpha/beta studies. Each test module gets a study of its
own, created by the real service (a clone of the template, triggers included) and dropped with its
schema at the end (tenants.services.study_delete).

The worker listens on a queue named for this run, in a Redis database of its own
(``INTEG_REDIS_URL``, default db 12), so parallel test runs never take each other's messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.live import ROOT, _wait_for_other_sessions_to_end, database_url_for_tests

INTEG_REDIS_URL = os.environ.get("INTEG_REDIS_URL", "redis://127.0.0.1:6379/12")


@contextmanager
def dedicated_study(slug_prefix: str, title: str = "", **create: Any) -> Iterator[Any]:
    """A committed study for one test module, dropped with its schema (and its chain) afterwards.

    Call with the database unblocked and outside any test transaction.
    """
    from dashboard.services import study_create_with_settings
    from tenants.models import Study
    from tenants.services import study_delete

    slug = f"{slug_prefix}-{uuid.uuid4().hex[:6]}"
    # The creation flow of the pages and the API: ``game_config`` reaches the study's schema.
    study = study_create_with_settings(
        acting_user=None, as_manager=False, slug=slug, title=title or f"Integration {slug}", **create
    )
    Study.objects.filter(pk=study.pk).update(status=Study.Status.RECRUITING)
    study.refresh_from_db()
    try:
        yield study
    finally:
        from django.db import connection

        connection.set_schema_to_public()
        study_delete(study=study, confirm=study.slug)


def wait_for(predicate: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Worker:
    """A `celery worker` subprocess of the project's tenant-aware app on a queue of its own."""

    process: subprocess.Popen
    queue: str
    broker_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the current task finishes first
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        _forget_queue(self.broker_url, self.queue)
        _wait_for_other_sessions_to_end(application_name=f"worker-{self.queue}")


def _forget_queue(broker_url: str, queue: str) -> None:
    """Remove what kombu left in Redis for this run's queue (the list and its bindings)."""
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        keys = [queue, *client.scan_iter(match=f"_kombu.binding*.{queue}")]
        client.delete(*keys)
    finally:
        client.close()


def new_queue_name() -> str:
    return f"integ-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def worker_env(broker_url: str, queue: str) -> dict[str, str]:
    """What a server or worker process needs to queue on / consume from this run's queue."""
    return {"REDIS_URL": broker_url, "TEST_CELERY_EAGER": "false", "TEST_CELERY_QUEUE": queue}


def start_worker(*, include: list[str], queue: str, broker_url: str = INTEG_REDIS_URL, timeout: float = 40.0) -> Worker:
    """Start a worker on the test database; returns once it reports ready (the caller must stop it)."""
    log_dir = ROOT / "var" / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"worker-{queue}.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(),
        "DJANGO_SETTINGS_MODULE": "research_platform.settings.test",
        **worker_env(broker_url, queue),
        "PYTHONUNBUFFERED": "1",
        "PGAPPNAME": f"worker-{queue}",  # libpq: names this process's database sessions
    }
    command = [
        sys.executable, "-m", "celery", "-A", "research_platform", "worker",
        "--pool=solo", "--concurrency=1", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-Q", queue, "-n", f"{queue}@%h",
        *[arg for module in include for arg in ("-I", module)],
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(process=process, queue=queue, broker_url=broker_url, log_path=log_path)

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited ({process.returncode}):\n{worker.log()[-3000:]}")
        return " ready." in worker.log()

    try:
        wait_for(ready, timeout=timeout, what=f"the worker to start (log: {log_path})", interval=0.2)
    except BaseException:
        worker.stop()
        raise
    return worker


@contextmanager
def publishing_to(broker_url: str, queue: str) -> Iterator[None]:
    """Let THIS process queue real messages on ``broker_url``/``queue`` (test settings run tasks eagerly).

    The project's Celery app is pointed at the run's broker with fresh connection pools, and put
    back as it was afterwards, so the other tests keep their eager tasks.
    """
    from research_platform.celery import app

    conf = app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.task_default_queue)

    def fresh_pools() -> None:
        from kombu import pools

        pools.reset()  # closes every pool of kombu's registry (keyed by connection, process-wide)
        app._pool = None  # rebuilt lazily from the broker URL in force at the next publish
        app.amqp._producer_pool = None

    fresh_pools()
    conf.broker_url, conf.task_always_eager, conf.task_default_queue = broker_url, False, queue
    try:
        yield
    finally:
        fresh_pools()
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved
