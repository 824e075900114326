"""The results endpoints answer exactly what their OpenAPI schema declares (same keys, same order)."""

from __future__ import annotations

from django.db import connection

from pseudonymization.models import Participant
from tests.conftest import api_client_for
from tests.consent.support import bearer, enrol, publish
from tests.schema_support import assert_body_matches_schema, declared_keys
from tests.traits.test_services import simulated_input
from tests.traits.test_study_fits import fitted  # noqa: F401  (a fixture)
from traits.services import session_process

ALPHA = "alpha.localhost"


def test_a_profile_metrics_and_traits_are_their_schemas(alpha, alpha_client, cast):
    body = enrol(alpha_client, publish(alpha)).json()
    token = body["token"]
    connection.set_tenant(alpha)
    participant = Participant.objects.get(participant_code=body["participant_code"])
    session_id = session_process(data=simulated_input(participant, seed=1)).metrics.session_id
    connection.set_schema_to_public()
    profile = alpha_client.get("/api/v1/me/profile/", **bearer(token))
    assert_body_matches_schema(profile, host=ALPHA, path="/api/v1/me/profile/", method="get")
    client = api_client_for(cast["viewer"], ALPHA)
    metrics = client.get(f"/api/v1/sessions/{session_id}/metrics/")
    assert_body_matches_schema(metrics, host=ALPHA, path="/api/v1/sessions/{session_id}/metrics/", method="get")
    traits = client.get(f"/api/v1/participants/{participant.participant_code}/traits/")
    assert_body_matches_schema(traits, host=ALPHA, path="/api/v1/participants/{code}/traits/", method="get")
    # The nested profile is the same ProfileOut as /me/profile/.
    assert list(traits.json()["latest"]) == list(profile.json())


def test_the_study_fits_a_refit_and_a_participants_models_are_their_schemas(alpha, cast, fitted):  # noqa: F811
    viewer = api_client_for(cast["viewer"], ALPHA)
    fits = viewer.get("/api/v1/study-fits/")
    assert_body_matches_schema(fits, host=ALPHA, path="/api/v1/study-fits/", method="get")
    queued = api_client_for(cast["analyst"], ALPHA).post("/api/v1/study-fits/")
    assert queued.status_code == 202
    assert_body_matches_schema(queued, host=ALPHA, path="/api/v1/study-fits/", method="post")
    models = viewer.get(f"/api/v1/participants/{fitted[0].participant_code}/models/")
    assert_body_matches_schema(models, host=ALPHA, path="/api/v1/participants/{code}/models/", method="get")
    assert declared_keys(ALPHA, "/api/v1/study-fits/", "post", 202) == ["queued", "sample"]
