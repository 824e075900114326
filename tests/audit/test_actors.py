"""Entries name the right actor for session logins, API tokens and Celery tasks."""

from __future__ import annotations

from django.db import connection
from rest_framework.test import APIClient

from audit import celery_hooks
from audit.context import audit_actor
from audit.models import AuditEntry
from audit.services import audit_event
from research_platform.celery import app
from tests.conftest import api_client_for


@app.task(name="tests.audit.write_entry")
def write_entry() -> int:
    return audit_event(action="test.task_entry").pk


def _latest(**filters) -> AuditEntry:
    return AuditEntry.objects.filter(**filters).order_by("-seq").first()


def test_a_token_request_records_the_token_user_on_auditlog_entries(cast, alpha):
    manager = cast["manager"]
    client = api_client_for(manager, "localhost")
    response = client.post(
        "/api/v1/studies/alpha/members/", {"username": "t_outsider", "role": "viewer"}, format="json"
    )
    assert response.status_code == 201
    # The membership row's own entry comes from auditlog's signal: no explicit actor was passed.
    entry = _latest(object_type="tenants.studymembership", event="tenants.studymembership.create")
    assert (entry.actor_id, entry.actor_label, entry.study) == (manager.pk, f"user:{manager.pk}", "alpha")


def test_a_session_login_records_the_logged_in_user(cast, alpha):
    manager = cast["manager"]
    client = APIClient(HTTP_HOST="localhost")
    client.force_login(manager)
    assert client.patch("/api/v1/studies/alpha/", {"title": "Renamed by session"}, format="json").status_code == 200
    entry = _latest(event="tenants.study.update")
    assert entry.actor_id == manager.pk
    assert entry.changes["title"] == ["Study alpha", "Renamed by session"]


def test_writes_outside_any_request_are_attributed_to_the_system(in_alpha):
    entry = audit_event(action="test.no_context")
    assert (entry.actor_id, entry.actor_label) == (None, "system")


def test_an_eager_task_keeps_the_callers_actor(cast, in_alpha):
    analyst = cast["analyst"]
    with audit_actor(analyst):
        pk = write_entry.delay().get()
    entry = AuditEntry.objects.get(pk=pk)
    assert entry.actor_id == analyst.pk
    assert entry.actor_label == f"user:{analyst.pk} via task:tests.audit.write_entry"


def test_a_task_from_a_worker_is_attributed_to_whoever_queued_it(cast, in_alpha):
    viewer = cast["viewer"]
    headers: dict = {}
    with audit_actor(viewer):
        celery_hooks._add_actor_header(headers=headers)  # what before_task_publish does when sending
    assert headers == {"audit_actor_id": viewer.pk, "audit_actor_label": f"user:{viewer.pk}"}
    pk = write_entry.apply(headers=headers).get()
    entry = AuditEntry.objects.get(pk=pk)
    assert entry.actor_id == viewer.pk and entry.actor_label.endswith("via task:tests.audit.write_entry")
    assert connection.schema_name == "study_alpha"


def test_nobody_acting_puts_no_actor_in_the_message_headers(in_alpha):
    headers: dict = {}
    celery_hooks._add_actor_header(headers=headers)  # beat, a script: the worker then says "task:<name>"
    assert headers == {}


def test_a_task_nobody_queued_is_labelled_with_its_name(in_alpha):
    pk = write_entry.apply().get()
    entry = AuditEntry.objects.get(pk=pk)
    assert (entry.actor_id, entry.actor_label) == (None, "task:tests.audit.write_entry")


def test_a_deleted_user_leaves_history_untouched_and_verifiable(cast, alpha):
    from audit.verification import verify_current_schema

    manager = cast["manager"]
    granted = _latest(event="membership.grant", actor_id=None)
    with audit_actor(manager):
        audit_event(action="test.by_manager")
    manager_id = manager.pk
    manager.delete()  # erasure of the account: no FK from the log, nothing to rewrite
    entry = _latest(event="test.by_manager")
    assert entry.actor_id == manager_id and entry.actor_label == f"user:{manager_id}"
    assert granted is not None and verify_current_schema().intact
