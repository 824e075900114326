"""The results endpoints with real processed sessions: shapes, versions, intervals and who may see them."""

from __future__ import annotations

from django.db import connection

from tests.conftest import api_client_for
from tests.consent.support import bearer
from tests.traits.test_services import simulated_input
from traits.services import session_process


def processed(alpha, participant, seed=1):
    connection.set_tenant(alpha)
    result = session_process(data=simulated_input(participant, seed=seed))
    connection.set_schema_to_public()
    return result


def test_my_profile_is_404_before_processing_then_shows_versions_and_intervals(alpha, alpha_client, participant):
    token, participant = participant.token, participant.participant
    before = alpha_client.get("/api/v1/me/profile/", **bearer(token))
    assert before.status_code == 404 and before.json()["error"]["code"] == "not_processed"
    processed(alpha, participant)
    body = alpha_client.get("/api/v1/me/profile/", **bearer(token)).json()
    assert body["versions"]["traits"] == "bart-traits/2.0.0"
    assert body["versions"]["models"] == {"bart_par4": "bart_par4/2.0.0", "bart_ewmv": "bart_ewmv/2.0.0"}
    assert len(body["input_sha256"]) == 64 and "not a diagnosis" in body["notice"]
    risk = body["dimensions"][0]
    assert (risk["low_pole"], risk["high_pole"]) == ("cautious", "risk-seeking")
    assert risk["z_interval"][0] <= risk["z"] <= risk["z_interval"][1]
    assert risk["percentile"] is None and risk["norm"]["basis"] == "placeholder"  # no norm, no percentile


def test_my_profile_needs_a_participant_token(alpha_client):
    assert alpha_client.get("/api/v1/me/profile/").status_code == 401


def test_session_metrics_for_a_viewer_carry_versions_and_both_fits(alpha, cast, participant):
    participant = participant.participant
    result = processed(alpha, participant)
    response = api_client_for(cast["viewer"], alpha.domain_name).get(
        f"/api/v1/sessions/{result.metrics.session_id}/metrics/"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["versions"]["metrics"] == "bart-metrics/1.0.0"
    assert body["metrics"]["overall"]["n_balloons"] == 30
    assert {f["version"] for f in body["model_fits"]} == {"bart_par4/2.0.0", "bart_ewmv/2.0.0"}
    assert all(set(f["intervals"]) == set(f["estimates"]) for f in body["model_fits"])


def test_a_compliance_officer_or_another_study_does_not_see_metrics(alpha, beta, cast, participant):
    participant = participant.participant
    path = f"/api/v1/sessions/{processed(alpha, participant).metrics.session_id}/metrics/"
    assert api_client_for(cast["compliance"], alpha.domain_name).get(path).status_code == 403
    assert api_client_for(cast["other_manager"], beta.domain_name).get(path).status_code == 404


def test_participant_traits_show_the_latest_profile_and_the_history(alpha, cast, participant):
    participant = participant.participant
    processed(alpha, participant, seed=1)
    processed(alpha, participant, seed=2)
    client = api_client_for(cast["analyst"], alpha.domain_name)
    body = client.get(f"/api/v1/participants/{participant.participant_code}/traits/").json()
    assert body["participant_code"] == participant.participant_code
    assert body["latest"]["versions"]["traits"] == "bart-traits/2.0.0"
    assert len(body["history"]) == 1
