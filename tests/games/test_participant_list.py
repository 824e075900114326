"""The researchers' participant list, GET /api/v1/participants/: codes, consent states and session counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from consent.models import ConsentSettings
from tests.conftest import api_client_for, enrolled
from tests.consent.support import enrol, publish
from tests.games.support import enrol_gamer

PANEL_ID = "5e9f8a7b6c5d4e3f2a1b0c9d"
HOST = "alpha.localhost"


def test_the_list_shows_codes_and_consent_states_but_no_identifier(alpha, alpha_client, cast, withdrawn_participant):
    kept = enrolled(alpha, alpha_client, PANEL_ID)
    response = api_client_for(cast["viewer"], HOST).get("/api/v1/participants/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    states = {row["participant_code"]: row["consent"]["state"] for row in body["results"]}
    assert states == {kept.code: "current", withdrawn_participant.code: "withdrawn"}
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


def test_the_list_counts_each_participants_game_sessions(alpha, cast):
    twice = enrol_gamer(alpha)
    twice.start()
    with tenant_context(alpha):
        from games.models import GameSession

        GameSession.objects.filter(participant__participant_code=twice.code).update(status="completed")
    twice.start()  # the first is closed, so this is a second session
    once = enrol_gamer(alpha)
    once.start()
    never = enrol_gamer(alpha)
    rows = api_client_for(cast["viewer"], HOST).get("/api/v1/participants/").json()["results"]
    assert {row["participant_code"]: row["sessions"] for row in rows} == {twice.code: 2, once.code: 1, never.code: 0}
