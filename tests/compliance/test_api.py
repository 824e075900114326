"""The audit API: officers see only the studies they cover; queries are themselves audited; the officer
keeps the signed checkpoints."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import tenant_context

from audit.checkpoints import checkpoint_create
from audit.models import AuditEntry
from audit.services import audit_event
from tests.conftest import api_client_for


def _event_in(study, action: str) -> None:
    connection.set_tenant(study)
    audit_event(action=action, details={"marker": action})
    connection.set_schema_to_public()


@pytest.fixture
def two_trails(cast, alpha, beta):
    _event_in(alpha, "test.alpha_only")
    _event_in(beta, "test.beta_only")
    return cast


def test_an_officer_of_alpha_sees_alpha_and_never_beta(two_trails):
    client = api_client_for(two_trails["compliance"], "localhost")
    body = client.get("/api/v1/audit/", {"limit": 500}).json()
    studies = {r["study"] for r in body["results"]}
    actions = {r["action"] for r in body["results"]}
    assert "test.alpha_only" in actions and "membership.grant" in actions
    assert "test.beta_only" not in actions
    assert studies == {"alpha"}
    assert body["count"] == len(body["results"])
    refused = client.get("/api/v1/audit/", {"study": "beta"})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"


def test_platform_staff_see_every_study(two_trails):
    body = api_client_for(two_trails["admin"], "localhost").get("/api/v1/audit/", {"limit": 500}).json()
    actions = {r["action"] for r in body["results"]}
    assert {"test.alpha_only", "test.beta_only"} <= actions


def test_staff_status_alone_reads_no_audit_trail(two_trails, django_user_model):
    staff = django_user_model.objects.create_user("t_staff_only", password="pw-staff-123", is_staff=True)
    client = api_client_for(staff, "localhost")
    refused = client.get("/api/v1/audit/", {"limit": 500})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert "test.alpha_only" not in refused.content.decode() and "test.beta_only" not in refused.content.decode()


def test_filters_narrow_the_results_and_bad_ones_are_refused(two_trails):
    client = api_client_for(two_trails["compliance"], "localhost")
    grants = client.get("/api/v1/audit/", {"action": "membership"}).json()["results"]
    assert grants and all(r["action"].startswith("membership.") for r in grants)
    manager = two_trails["manager"]
    assert all(
        r["object"]["type"] == "tenants.studymembership"
        for r in client.get("/api/v1/audit/", {"object": "tenants.studymembership"}).json()["results"]
    )
    by_actor = client.get("/api/v1/audit/", {"actor": f"user:{manager.pk}"}).json()["results"]
    assert all(r["actor"]["id"] == manager.pk for r in by_actor)
    assert client.get("/api/v1/audit/", {"since": "2999-01-01"}).json()["count"] == 0
    bad = client.get("/api/v1/audit/", {"since": "yesterday", "until": "soon"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]) == {"since", "until"}


def test_every_audit_query_is_itself_audited(two_trails):
    officer = two_trails["compliance"]
    api_client_for(officer, "localhost").get("/api/v1/audit/", {"study": "alpha", "action": "membership"})
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.event, entry.actor_id, entry.study) == ("audit_query", officer.pk, "alpha")
    assert entry.additional_data["filters"] == {"study": "alpha", "action": "membership"}


def test_the_study_host_lists_only_that_study(two_trails, alpha):
    client = api_client_for(two_trails["compliance"], alpha.domain_name)
    body = client.get("/api/v1/audit/", {"limit": 500}).json()
    actions = {r["action"] for r in body["results"]}
    assert "test.alpha_only" in actions and "test.beta_only" not in actions
    connection.set_tenant(alpha)
    assert AuditEntry.objects.order_by("-seq").first().event == "audit_query"


def test_verification_reports_the_first_broken_entry_of_the_officers_studies(two_trails, alpha):
    client = api_client_for(two_trails["compliance"], "localhost")
    body = client.get("/api/v1/audit/verify/").json()
    assert body["intact"] is True
    assert [c["study"] for c in body["chains"]] == [None, "alpha"]
    connection.set_tenant(alpha)
    victim = AuditEntry.objects.order_by("seq").first()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditentry SET reason = 'rewritten' WHERE id = %s", [victim.pk])
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    connection.set_schema_to_public()
    body = client.get("/api/v1/audit/verify/").json()
    alpha_chain = body["chains"][1]
    assert body["intact"] is False and alpha_chain["intact"] is False
    assert alpha_chain["first_broken"]["seq"] == victim.seq and alpha_chain["first_broken"]["id"] == victim.pk
    with pytest.raises(CommandError):
        call_command("verify_audit", "--study", "alpha")


def test_the_compliance_officer_exports_the_checkpoints_and_a_manager_cannot(alpha, cast):
    with tenant_context(alpha):
        for i in range(2):
            audit_event(action="test.checkpoint", details={"i": i, "note": f"entry {i}"})
        checkpoint_create()
    export = api_client_for(cast["compliance"], alpha.domain_name).get("/api/v1/audit/checkpoints/")
    assert export.status_code == 200
    body = export.json()
    assert body["schema"] == alpha.schema_name and body["checkpoints"] and body["public_key"]
    assert api_client_for(cast["manager"], alpha.domain_name).get("/api/v1/audit/checkpoints/").status_code == 403
