"""Task actors on a REAL Celery worker.

A manager's HTTP request to a real server process (`POST /api/v1/deletion-requests/{id}/execute/`)
queues `rights.tasks.execute_deletion_request` on Redis; a worker process runs it in the study's
schema, and every entry the task writes names the manager "via task:<name>". A task queued with
nobody acting (as beat does) is attributed to the task alone.

Committed data in a study of this module's own (tests/committed.py): the server and the worker are
other processes, and audit rows can never be deleted afterwards.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from research_platform.services_config import redis_reachable
from tests.audit.worker_tasks import PROBE_TASK, audit_probe
from tests.committed import (
    INTEG_REDIS_URL,
    Worker,
    dedicated_study,
    new_queue_name,
    publishing_to,
    start_worker,
    wait_for,
    worker_env,
)
from tests.live import LiveServer, start_live_server

# django_db: pytest-django creates the test database only for sessions with a test that asks for it.
# The test's own transaction holds nothing the other processes need (setup is committed).
pytestmark = [pytest.mark.integration, pytest.mark.django_db]

EXECUTE_TASK = "rights.tasks.execute_deletion_request"


@dataclass
class World:
    study: Any
    manager: Any
    manager_token: str
    server: LiveServer
    worker: Worker

    def call(self, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = token
        status, raw = self.server.request(
            method, self.study.domain_name, path, json.dumps(body).encode() if body is not None else None, headers
        )
        return status, json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    if not redis_reachable(INTEG_REDIS_URL):
        pytest.fail(f"the real-worker tests need Redis at {INTEG_REDIS_URL}")
    from django.contrib.auth import get_user_model

    from tenants.credentials import api_token_issue
    from tenants.membership import membership_grant
    from tests.consent.support import publish

    queue = new_queue_name()
    with django_db_blocker.unblock(), dedicated_study("auditw") as study:
        publish(study)
        manager = get_user_model().objects.create_user(f"integ_{study.slug}", password="pw-integ-123")
        membership_grant(study=study, user=manager, role="manager")
        token = api_token_issue(user=manager)
        worker = start_worker(include=["tests.audit.worker_tasks"], queue=queue)
        server = None
        try:
            server = start_live_server(extra_env=worker_env(INTEG_REDIS_URL, queue))
            yield World(study=study, manager=manager, manager_token=f"Token {token}", server=server, worker=worker)
        finally:
            if server is not None:
                server.stop()
            worker.stop()  # last: it also clears the run's queue from Redis
            manager.delete()


def _entries(study: Any, **filters: Any) -> list[Any]:
    from audit.models import AuditEntry

    with tenant_context(study):
        return list(AuditEntry.objects.filter(**filters).order_by("seq"))


def test_a_task_queued_by_a_managers_request_names_the_manager_on_the_worker(world):
    from audit.verification import verify_schema

    status, document = world.call("GET", "/api/v1/consent/")
    assert status == 200, document
    agree = {"consent_version": document["version"], "consent_sha256": document["sha256"], "agree": True}
    status, enrolled = world.call("POST", "/api/v1/participants/", agree)
    assert status == 201, enrolled
    token = world.manager_token
    status, filed = world.call(
        "POST", "/api/v1/deletion-requests/", {"participant_code": enrolled["participant_code"]}, token
    )
    assert status == 201, filed
    status, queued = world.call("POST", f"/api/v1/deletion-requests/{filed['request_id']}/execute/", token=token)
    assert status == 202, queued

    def executed() -> bool:
        status, row = world.call("GET", f"/api/v1/deletion-requests/{filed['request_id']}/", token=token)
        return status == 200 and row["status"] == "executed"

    wait_for(executed, timeout=30, what="the worker to execute the deletion request", interval=0.3)
    # Run by the worker process, not eagerly in the server.
    wait_for(lambda: f"{EXECUTE_TASK}[" in world.worker.log(), timeout=10, what="the task in the worker's log")
    assert "succeeded" in world.worker.log()

    request_entries = _entries(world.study, event__startswith="rights.deletion.", event__in=[
        "rights.deletion.create", "rights.deletion.verify", "rights.deletion.schedule"
    ])  # fmt: skip
    task_entries = _entries(world.study, actor_label__endswith=f" via task:{EXECUTE_TASK}")
    events = {e.event for e in task_entries}
    # The service events of the task, and auditlog's own entry for the request row it updated.
    assert {"rights.deletion.start", "rights.deletion.execute", "rights.deletionrequest.update"} <= events
    assert any(e.startswith("rights.erase.") for e in events)
    for entry in task_entries:
        assert (entry.actor_id, entry.actor_label) == (
            world.manager.pk,
            f"user:{world.manager.pk} via task:{EXECUTE_TASK}",
        )
        assert entry.study == world.study.slug  # the worker ran in the study's schema (tenant-schemas-celery)
    # What the request itself wrote names the manager directly (token request, not a task).
    assert {(e.event, e.actor_label) for e in request_entries} == {
        (event, f"user:{world.manager.pk}")
        for event in ("rights.deletion.create", "rights.deletion.verify", "rights.deletion.schedule")
    }
    verdict = verify_schema(world.study.schema_name)
    assert verdict.intact, verdict


def test_a_task_nobody_queued_is_attributed_to_the_task_alone(world):
    """What beat does: queue with no request and no actor; the entries say "task:<name>"."""
    marker = uuid.uuid4().hex
    with publishing_to(world.worker.broker_url, world.worker.queue):
        with tenant_context(world.study):
            audit_probe.delay(marker)

    def written() -> list[Any]:
        probe = _entries(world.study, event="integ.probe", additional_data__marker=marker)
        return probe and _entries(world.study, seq__in=[probe[0].seq - 1, probe[0].seq])

    entries = wait_for(written, timeout=30, what="the worker's entries")
    # The settings change (auditlog's signal) and the service event, both by the task alone.
    assert [e.event for e in entries][1] == "integ.probe" and entries[0].event.startswith("consent.consentsettings.")
    assert {(e.actor_label, e.actor_id) for e in entries} == {(f"task:{PROBE_TASK}", None)}
