"""The researchers' questionnaire endpoints answer exactly what their OpenAPI schema declares."""

from __future__ import annotations

from tests.conftest import api_client_for
from tests.questionnaires.support import answered, questionnaire_flow
from tests.schema_support import assert_body_matches_schema, declared_keys

ALPHA = "alpha.localhost"


def test_the_questionnaire_list_and_the_responses_are_their_schemas(cast, alpha, alpha_client):
    questionnaire_flow(alpha)
    answered(alpha, alpha_client)
    client = api_client_for(cast["analyst"], ALPHA)
    listed = client.get("/api/v1/questionnaires/")
    assert_body_matches_schema(listed, host=ALPHA, path="/api/v1/questionnaires/", method="get")
    page = client.get("/api/v1/questionnaires/responses/")
    assert_body_matches_schema(page, host=ALPHA, path="/api/v1/questionnaires/responses/", method="get")
    item_keys = [
        "response_id",
        "participant_code",
        "questionnaire",
        "questionnaire_version",
        "questionnaire_sha256",
        "flow_version",
        "flow_session",
        "flow_step",
        "condition",
        "pilot",
        "started_at",
        "submitted_at",
        "scoring_version",
        "scores",
        "answers",
    ]
    assert [list(r) for r in page.json()["results"]] == [item_keys]
    (mood,) = listed.json()["results"]
    assert list(mood) == ["key", "title", "latest_version", "responses_submitted", "versions"]
    assert declared_keys(ALPHA, "/api/v1/questionnaires/responses/", "post", 201)[0] == "response_id"
