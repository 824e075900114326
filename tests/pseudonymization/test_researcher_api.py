"""Audited re-identification (the pseudonymous list is tested in tests/games/test_participant_list.py)."""

from __future__ import annotations

import logging

from django_tenants.utils import tenant_context

from tests.conftest import api_client_for
from tests.consent.support import enrol, publish

PANEL_ID = "5e9f8a7b6c5d4e3f2a1b0c9d"
HOST = "alpha.localhost"


def test_a_manager_reidentifies_with_a_reason(alpha, alpha_client, cast, caplog):
    code = enrol(alpha_client, publish(alpha), external_id=PANEL_ID).json()["participant_code"]
    caplog.set_level(logging.INFO)
    response = api_client_for(cast["manager"], HOST).post(
        f"/api/v1/participants/{code}/reidentify/", {"reason": "Payment reconciliation on the panel"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"participant_code": code, "external_id": PANEL_ID}
    assert response["Cache-Control"] == "no-store"
    assert PANEL_ID not in caplog.text and "Payment reconciliation" not in caplog.text
    from audit.models import AuditEntry

    with tenant_context(alpha):
        (entry,) = AuditEntry.objects.filter(event="reidentify")
        assert entry.reason == "Payment reconciliation on the panel" and entry.actor_id == cast["manager"].pk
        assert PANEL_ID not in repr(entry.additional_data) and code in repr(entry.additional_data)


def test_reidentification_needs_a_reason_and_the_permission(alpha, alpha_client, cast):
    code = enrol(alpha_client, publish(alpha), external_id=PANEL_ID).json()["participant_code"]
    manager = api_client_for(cast["manager"], HOST)
    missing = manager.post(f"/api/v1/participants/{code}/reidentify/", {}, format="json")
    short = manager.post(f"/api/v1/participants/{code}/reidentify/", {"reason": "why"}, format="json")
    assert (missing.status_code, short.status_code) == (400, 400)
    assert "reason" in missing.json()["error"]["details"]
    analyst = api_client_for(cast["analyst"], HOST)
    denied = analyst.post(
        f"/api/v1/participants/{code}/reidentify/", {"reason": "Just curious about it"}, format="json"
    )
    assert denied.status_code == 403 and PANEL_ID not in denied.content.decode()


def test_reidentifying_an_unknown_code_or_one_without_an_id(alpha, alpha_client, cast):
    code = enrol(alpha_client, publish(alpha)).json()["participant_code"]
    manager = api_client_for(cast["manager"], HOST)
    reason = {"reason": "Checking the panel record"}
    assert manager.post(f"/api/v1/participants/{code}/reidentify/", reason, format="json").json()["external_id"] is None
    assert manager.post("/api/v1/participants/P-2222-2222/reidentify/", reason, format="json").status_code == 404


def test_another_studys_manager_cannot_reidentify(alpha, alpha_client, cast):
    code = enrol(alpha_client, publish(alpha), external_id=PANEL_ID).json()["participant_code"]
    response = api_client_for(cast["other_manager"], HOST).post(
        f"/api/v1/participants/{code}/reidentify/", {"reason": "Payment reconciliation"}, format="json"
    )
    assert response.status_code == 404 and PANEL_ID not in response.content.decode()
