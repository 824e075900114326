"""A Celery worker SIGKILLed mid-task: the message is redelivered, a second worker completes it, once.

Worker A holds the session's results uncommitted (it loads tests/security/slow_pipeline_worker.py, which
wraps the pipeline service in the worker's own process) and is killed with SIGKILL while it does: no
clean-up code runs, PostgreSQL rolls its transaction back, and the message stays "unacked" in Redis
(acks_late). Worker B, started afterwards, gets it back once the (test-short) visibility timeout has
passed and processes the session; the results exist exactly once and nothing is left unacknowledged in
the broker.
"""

from __future__ import annotations

import os
import re
import time
import uuid

import pytest

from tests.live import ensure_live_study, start_live_server
from tests.security.faults_support import (
    Participant,
    PlayRecord,
    RedisServer,
    kill_hard,
    play_through,
    record_figures,
    start_worker,
    stop_processes,
    wait_for,
    worker_log,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SLUG = "faultworker"
VISIBILITY_TIMEOUT = 4  # seconds; production keeps the default hour


@pytest.fixture(scope="module")
def worker_stack(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    redis = RedisServer().start()
    with django_db_blocker.unblock():
        study = ensure_live_study(SLUG, game_config={"balloons_per_color": 10})
        env = {
            "REDIS_URL": redis.url(0),
            "TEST_CELERY_EAGER": "false",
            "TEST_CELERY_QUEUE": f"fault-worker-{uuid.uuid4().hex[:8]}",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        }
        server = start_live_server(extra_env=env)
    workers: list = []
    yield server, study, redis, workers
    stop_processes(workers)
    redis.stop()
    with django_db_blocker.unblock():
        server.stop()


def test_a_worker_killed_mid_task_is_replaced_and_the_session_processed_once(worker_stack, django_db_blocker):
    server, study, redis, workers = worker_stack
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
    first, second = f"kill-a-{tag}", f"kill-b-{tag}"
    workers.append(start_worker(server.env, first, include=["tests.security.slow_pipeline_worker"]))

    alice = Participant(server, SLUG)
    record = PlayRecord()
    play_through(alice, record)
    assert not record.error and record.complete_status == 202, record
    session_id = record.session_id

    holding = re.compile(rf"holding session {session_id} uncommitted")
    assert wait_for(lambda: holding.search(worker_log(first).read_text()), timeout=40), (
        f"worker A never started the task: see {worker_log(first)}"
    )
    task_ids = re.findall(r"process_session\[([0-9a-f-]+)\] received", worker_log(first).read_text())
    assert len(task_ids) == 1
    kill_hard(workers[0])
    killed_at = time.monotonic()

    from django_tenants.utils import tenant_context

    from games.models import GameSession
    from traits.models import ModelFit, SessionMetrics, TraitProfile

    def counts() -> tuple[int, int, int, str]:
        with django_db_blocker.unblock(), tenant_context(study):
            return (
                SessionMetrics.objects.filter(session_id=session_id).count(),
                ModelFit.objects.filter(session_id=session_id).count(),
                TraitProfile.objects.filter(session_id=session_id).count(),
                GameSession.objects.get(pk=session_id).status,
            )

    # The killed transaction left nothing behind; the message waits, unacknowledged, in Redis.
    assert wait_for(lambda: counts() == (0, 0, 0, "completed"), timeout=5)
    assert redis.command("HLEN", "unacked") == "1"

    workers.append(start_worker(server.env, second))
    assert wait_for(lambda: counts()[3] in ("processed", "flagged"), timeout=45, interval=0.5), (
        f"not redelivered within 45 s: see {worker_log(second)}"
    )
    redelivered_after = time.monotonic() - killed_at
    metrics, fits, profiles, _ = counts()
    log_b = worker_log(second).read_text()
    assert f"process_session[{task_ids[0]}] received" in log_b  # the same message, not a new one
    assert f"process_session[{task_ids[0]}] succeeded" in log_b
    assert (metrics, profiles) == (1, 1)
    with django_db_blocker.unblock(), tenant_context(study):
        versions = list(ModelFit.objects.filter(session_id=session_id).values_list("model_version", flat=True))
    assert len(versions) == len(set(versions)) == fits >= 1
    assert wait_for(lambda: redis.command("HLEN", "unacked") == "0", timeout=5)  # acknowledged, once
    status, profile = alice.call("GET", "/api/v1/me/profile/")
    assert status == 200 and profile["session_id"] == session_id
    record_figures(
        "worker_killed",
        {
            "tasks_killed": 1,
            "visibility_timeout_seconds": VISIBILITY_TIMEOUT,
            "redelivered_and_done_after_seconds": round(redelivered_after, 1),
            "session_metrics_rows": metrics,
            "model_fit_rows": fits,
            "trait_profile_rows": profiles,
            "events_sent": len(record.sent_ids),
            "events_accepted": record.accepted,
        },
    )
