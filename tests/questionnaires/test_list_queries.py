"""The researchers' questionnaire lists cost the same number of queries for 2 responses as for 6."""

from __future__ import annotations

from tests.conftest import api_client_for, queries_of_get
from tests.questionnaires.support import answered, questionnaire_flow


def test_questionnaires_and_responses_do_not_grow_queries_with_the_number_of_responses(cast, alpha, alpha_client):
    questionnaire_flow(alpha)
    client = api_client_for(cast["analyst"], alpha.domain_name)
    for _ in range(2):
        answered(alpha, alpha_client)
    few = {
        path: queries_of_get(client, path) for path in ("/api/v1/questionnaires/", "/api/v1/questionnaires/responses/")
    }
    for _ in range(4):
        answered(alpha, alpha_client)
    assert client.get("/api/v1/questionnaires/responses/").json()["count"] == 6
    for path, count in few.items():
        assert queries_of_get(client, path) == count, path
