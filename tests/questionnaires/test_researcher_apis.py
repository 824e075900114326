"""The researchers' questionnaire endpoints: the study's questionnaires with versions, submitted responses
with scores (filtered by questionnaire and participant), never free text, for the export_data role only."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tests.conftest import api_client_for
from tests.questionnaires.support import FREE_TEXT, answered, definition, questionnaire_flow

ALPHA = "alpha.localhost"
RESPONSES = "/api/v1/questionnaires/responses/"


@pytest.fixture
def answers(cast, alpha, alpha_client):
    questionnaire_flow(alpha)
    first, _ = answered(alpha, alpha_client)
    second, _ = answered(alpha, alpha_client)
    pilot, _ = answered(alpha, alpha_client, pilot=True)
    open_one, _ = answered(alpha, alpha_client, submit=False)
    return {"first": first, "second": second, "pilot": pilot, "open": open_one}


def test_submitted_responses_come_with_scores_and_without_free_text(cast, answers):
    response = api_client_for(cast["analyst"], ALPHA).get(RESPONSES)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2  # no pilot, no response still open
    codes = {r["participant_code"] for r in body["results"]}
    assert codes == {answers["first"].code, answers["second"].code}
    row = body["results"][0]
    assert (row["questionnaire"], row["questionnaire_version"], row["flow_step"]) == ("mood", 1, "q1")
    assert row["condition"] in {"warm", "cold"} and row["flow_version"] == 1 and row["flow_session"] == 1
    assert row["scores"]["scales"]["ext"]["answered"] == 3 and row["scores"]["subscales"]["ext-lead"]["score"] == 4.5
    assert row["scores"]["attention_checks"]["passed"] == 1 and row["scoring_version"] == "1.0.0"
    assert row["answers"]["hobbies"] == ["read", "run"] and "comment" not in row["answers"]
    assert FREE_TEXT not in response.content.decode()


def test_responses_filter_by_questionnaire_participant_and_pilots(cast, alpha, answers):
    client = api_client_for(cast["analyst"], ALPHA)
    mine = client.get(RESPONSES, {"participant": answers["first"].code}).json()
    assert [r["participant_code"] for r in mine["results"]] == [answers["first"].code]
    assert client.get(RESPONSES, {"questionnaire": "other"}).json()["count"] == 0
    assert client.get(RESPONSES, {"questionnaire": "mood"}).json()["count"] == 2
    with_pilots = client.get(RESPONSES, {"include_pilots": "true"}).json()
    assert with_pilots["count"] == 3 and any(r["pilot"] for r in with_pilots["results"])
    bad = client.get(RESPONSES, {"include_pilots": "maybe"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"


def test_the_questionnaires_list_names_every_version(cast, alpha, answers):
    from questionnaires.services import questionnaire_save

    with tenant_context(alpha):
        edited = definition(export_free_text=True)
        questionnaire_save(acting_user=None, key="mood", title="Mood, edited", definition=edited)
    response = api_client_for(cast["analyst"], ALPHA).get("/api/v1/questionnaires/")
    assert response.status_code == 200, response.content
    (mood,) = response.json()["results"]
    assert (mood["key"], mood["title"], mood["latest_version"], mood["responses_submitted"]) == (
        "mood",
        "Mood, edited",
        2,
        3,
    )
    assert [v["version"] for v in mood["versions"]] == [2, 1]
    assert [v["export_free_text"] for v in mood["versions"]] == [True, False]
    assert mood["versions"][1]["scales"] == ["ext", "ext-lead"] and mood["versions"][1]["items"] == 6
    assert len(mood["versions"][0]["sha256"]) == 64


@pytest.mark.parametrize("path", ["/api/v1/questionnaires/", RESPONSES])
@pytest.mark.parametrize(
    ("actor", "status"),
    [("analyst", 200), ("manager", 200), ("viewer", 403), ("outsider", 404), ("other_manager", 404)],
)
def test_only_the_export_data_role_reads_them(cast, answers, path, actor, status):
    assert api_client_for(cast[actor], ALPHA).get(path).status_code == status


def test_anonymous_readers_are_refused_and_participants_still_start_their_questionnaire(cast, alpha, alpha_client):
    from tests.conftest import enrolled

    assert api_client_for(None, ALPHA).get(RESPONSES).status_code == 401
    questionnaire_flow(alpha)
    person = enrolled(alpha, alpha_client)
    alpha_client.get("/flow/", **person.auth)  # joins the flow: the questionnaire is now due
    started = alpha_client.post(RESPONSES, **person.auth)
    assert started.status_code == 201, started.content
    assert started.json()["questionnaire"] == "mood@1"
    # A participant's token does not read the researchers' list.
    assert alpha_client.get(RESPONSES, **person.auth).status_code in (401, 403)
