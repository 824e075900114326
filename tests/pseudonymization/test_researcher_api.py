"""Researcher endpoints about participants: the pseudonymous list and audited re-identification."""

from __future__ import annotations

import logging

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from consent.models import ConsentSettings
from tests.conftest import api_client_for
from tests.consent.support import bearer, enrol, publish

PANEL_ID = "5e9f8a7b6c5d4e3f2a1b0c9d"
HOST = "alpha.localhost"


def test_the_list_shows_codes_and_consent_states_but_no_identifier(alpha, alpha_client, cast):
    document = publish(alpha)
    kept = enrol(alpha_client, document, external_id=PANEL_ID).json()
    gone = enrol(alpha_client, document).json()
    alpha_client.post("/api/v1/me/withdraw/", **bearer(gone["token"]))
    response = api_client_for(cast["viewer"], HOST).get("/api/v1/participants/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    states = {row["participant_code"]: row["consent"]["state"] for row in body["results"]}
    assert states == {kept["participant_code"]: "current", gone["participant_code"]: "withdrawn"}
    assert PANEL_ID not in response.content.decode() and "external" not in response.content.decode()
    assert "token" not in response.content.decode()


def test_an_agreement_to_a_replaced_version_is_outdated_when_reconsent_is_required(alpha, alpha_client, cast):
    enrol(alpha_client, publish(alpha))
    with tenant_context(alpha):
        ConsentSettings.objects.create(require_reconsent=True)
    publish(alpha, version="2.0", body="New")
    rows = api_client_for(cast["viewer"], HOST).get("/api/v1/participants/").json()["results"]
    assert [(r["consent"]["state"], r["consent"]["version"]) for r in rows] == [("outdated", "1.0")]


def test_the_list_filters_by_status_and_keeps_a_constant_query_count(alpha, alpha_client, cast):
    document = publish(alpha)
    client = api_client_for(cast["viewer"], HOST)
    enrol(alpha_client, document)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/participants/")
    for _ in range(5):
        enrol(alpha_client, document)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/participants/?status=active").json()["count"] == 6
    assert len(many) == len(few)
    assert client.get("/api/v1/participants/?status=nonsense").status_code == 400


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
