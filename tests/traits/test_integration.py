"""A real Celery worker on Redis processes a session completed through the real HTTP API.

The study is committed (tests/live.py), the server and the worker are subprocesses on the test
database, and the worker listens on a queue of its own in a Redis database of its own, so runs in
other worktrees never take this run's tasks.
"""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest

from games.simulate import TargetPolicy, batches, simulate_session
from tests.live import ensure_live_study, start_live_server

# django_db: pytest-django only creates the test database for sessions with a test that asks for it.
pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SLUG = "traitslive"
REDIS_DB_URL = "redis://127.0.0.1:6379/11"  # dedicated to this test


@pytest.fixture(scope="module")
def worker_server(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from research_platform.services_config import redis_reachable

    if not redis_reachable(REDIS_DB_URL):
        pytest.skip("a real worker needs Redis on 127.0.0.1:6379")
    with django_db_blocker.unblock():
        study = ensure_live_study(SLUG)
        server = start_live_server(
            with_worker=True,
            extra_env={
                "REDIS_URL": REDIS_DB_URL,
                "TEST_CELERY_QUEUE": f"traits-it-{os.getpid()}-{uuid.uuid4().hex[:8]}",
            },
        )
    yield server, study
    with django_db_blocker.unblock():
        server.stop()


def call(server, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, raw = server.request(
        method, f"{SLUG}.localhost", path, json.dumps(body).encode() if body else None, headers
    )
    return status, (json.loads(raw) if raw else None)


def test_a_real_worker_turns_a_completed_session_into_a_profile(worker_server, django_db_blocker):
    server, study = worker_server
    status, document = call(server, "GET", "/api/v1/consent/")
    assert status == 200, document
    status, enrolled = call(
        server,
        "POST",
        "/api/v1/participants/",
        {"consent_version": document["version"], "consent_sha256": document["sha256"], "agree": True},
    )
    assert status == 201, enrolled
    token = enrolled["token"]
    status, started = call(server, "POST", "/api/v1/game/sessions/", {}, token)
    assert status == 201, started  # a new participant's first session
    session_id = started["session_id"]
    events = simulate_session(started["balloons"], TargetPolicy(target=35.0), seed=session_id).events
    for batch in batches(events, 100):
        status, body = call(server, "POST", f"/api/v1/game/sessions/{session_id}/events/", {"events": batch}, token)
        assert status == 200 and body["accepted"] == len(batch), body
    status, _ = call(server, "GET", "/api/v1/me/profile/", token=token)
    assert status == 404  # not processed yet: nothing before completion
    status, body = call(server, "POST", f"/api/v1/game/sessions/{session_id}/complete/", {}, token)
    assert status == 202, body

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status, profile = call(server, "GET", "/api/v1/me/profile/", token=token)
        if status == 200:
            break
        time.sleep(0.5)
    assert status == 200, "no profile appeared within 90 s: see var/test-logs/live-worker-*.log"
    assert profile["session_id"] == session_id
    assert profile["versions"]["traits"] == "bart-traits/2.0.0"
    assert profile["dimensions"][0]["status"] == "ok"

    from django_tenants.utils import tenant_context

    from games.models import GameSession

    with django_db_blocker.unblock(), tenant_context(study):
        assert GameSession.objects.get(pk=session_id).status in ("processed", "flagged")
