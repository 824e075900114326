"""Redis down: ingestion keeps accepting events, /healthz says so, and processing catches up afterwards.

The server, a real worker and its embedded beat use a Redis of the test's own (broker AND cache, as in
production: the rate-limit counters go down with it). Redis is stopped in the middle of a session: the
rest of the batches and the completion must be accepted first time, and once Redis is back the pending
sweep (traits.tasks.process_pending) queues the session whose processing could not be queued.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from games.simulate import batches
from tests.live import ensure_live_study, start_live_server
from tests.security.faults_support import (
    Participant,
    RedisServer,
    record_figures,
    simulated_events,
    start_worker,
    stop_processes,
    wait_for,
    worker_log,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SLUG = "faultredis"


@pytest.fixture(scope="module")
def redis_stack(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    redis = RedisServer().start()
    with django_db_blocker.unblock():
        study = ensure_live_study(SLUG, game_config={"balloons_per_color": 10})
        env = {
            "REDIS_URL": redis.url(0),
            "TEST_CACHE_REDIS_URL": redis.url(1),
            "TEST_CELERY_EAGER": "false",
            "TEST_CELERY_QUEUE": f"fault-redis-{uuid.uuid4().hex[:8]}",
            "TRAITS_PENDING_SWEEP_SECONDS": "2",
            "TRAITS_PENDING_GRACE_SECONDS": "1",
        }
        server = start_live_server(extra_env=env)
    name = f"redis-{os.getpid()}"
    beat_dir = Path(tempfile.mkdtemp(prefix="faults-beat-"))
    worker = start_worker(server.env, name, beat_schedule=beat_dir / "schedule")
    yield server, study, redis, name
    stop_processes([worker])
    redis.stop()
    with django_db_blocker.unblock():
        server.stop()


def test_ingestion_survives_redis_down_and_processing_catches_up(redis_stack, django_db_blocker):
    server, study, redis, worker_name = redis_stack
    alice = Participant(server, SLUG)

    status, health = alice.call("GET", "/healthz")
    assert (status, health["status"], health["broker"]) == (200, "ok", "ok")
    alice.enrol()
    session = alice.start_session()
    session_id = session["session_id"]
    events = simulated_events(session)
    chunks = batches(events, 8)
    assert len(chunks) >= 6
    path = f"/api/v1/game/sessions/{session_id}/events/"
    accepted = 0
    for chunk in chunks[:2]:
        status, body = alice.call("POST", path, {"events": chunk})
        assert status == 200, body
        accepted += body["accepted"]

    redis.stop()
    down_at = time.monotonic()
    started = time.monotonic()
    status, health = alice.call("GET", "/healthz")
    health_seconds = time.monotonic() - started
    # Degraded, not dead: the database answers, so load balancers keep sending traffic (200).
    assert status == 200 and health == {"status": "degraded", "database": "ok", "broker": "error"}, health
    assert health_seconds < 3

    # Every remaining batch is taken first time (no retry: 200 and all accepted), as is a new enrolment.
    for chunk in chunks[2:]:
        status, body = alice.call("POST", path, {"sent_at": int(time.time() * 1000), "events": chunk})
        assert status == 200, body
        assert (body["accepted"], body["rejected"]) == (len(chunk), [])
        accepted += body["accepted"]
    bob = Participant(server, SLUG)
    bob.enrol()
    status, body = alice.call("POST", f"/api/v1/game/sessions/{session_id}/complete/", {})
    assert status == 202, body
    assert body["status"] == "completed"
    time.sleep(1.5)  # past the sweep's grace: still nothing can queue it
    status, body = alice.call("GET", f"/api/v1/game/sessions/{session_id}/")
    assert body["status"] == "completed"
    assert alice.failures == bob.failures == 0

    redis.start()  # same port: the worker, beat and server reconnect by themselves
    up_at = time.monotonic()
    downtime = up_at - down_at
    assert wait_for(lambda: alice.call("GET", "/healthz")[1]["status"] == "ok", timeout=10)
    healthy_after = time.monotonic() - up_at

    def processed() -> bool:
        return alice.call("GET", f"/api/v1/game/sessions/{session_id}/")[1]["status"] in ("processed", "flagged")

    assert wait_for(processed, timeout=45, interval=0.5), (
        f"not processed 45 s after Redis returned: see {worker_log(worker_name)}"
    )
    caught_up_after = time.monotonic() - up_at
    status, profile = alice.call("GET", "/api/v1/me/profile/")
    assert status == 200 and profile["session_id"] == session_id

    from django_tenants.utils import tenant_context

    from games.models import Event
    from traits.models import ModelFit, SessionMetrics, TraitProfile

    with django_db_blocker.unblock(), tenant_context(study):
        stored = list(Event.objects.filter(session_id=session_id).values_list("event_id", flat=True))
        assert sorted(map(str, stored)) == sorted(e["event_id"] for e in events)  # none lost, none twice
        assert SessionMetrics.objects.filter(session_id=session_id).count() == 1
        assert TraitProfile.objects.filter(session_id=session_id).count() == 1
        fits = list(ModelFit.objects.filter(session_id=session_id).values_list("model_version", flat=True))
        assert len(fits) == len(set(fits)) >= 1
    assert "pending sessions queued" in worker_log(worker_name).read_text()
    record_figures(
        "redis_down",
        {
            "events_sent": len(events),
            "events_sent_while_down": sum(len(c) for c in chunks[2:]),
            "events_stored": len(stored),
            "accepted": accepted,
            "client_failures": alice.failures + bob.failures,
            "healthz_seconds_while_down": round(health_seconds, 2),
            "redis_down_seconds": round(downtime, 1),
            "healthz_ok_after_seconds": round(healthy_after, 1),
            "processed_after_seconds": round(caught_up_after, 1),
        },
    )
