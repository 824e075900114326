"""The questionnaire step through the participant API: start, answer events exactly once, submit and score."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import tenant_context

from flows.models import StepCompletion
from questionnaires.models import QuestionnaireEvent, QuestionnaireResponse
from questionnaires.services import questionnaire_save
from tests.flows.support import page, publish_flow
from tests.games.support import enrol_gamer

DEFINITION = {
    "title": "Short risk check",
    "items": [
        {"key": "bold", "type": "likert", "text": "I take risks.", "points": 5, "anchors": ["No", "Yes"]},
        {
            "key": "calm",
            "type": "likert",
            "text": "I avoid danger.",
            "points": 5,
            "anchors": ["No", "Yes"],
            "reverse": True,
        },
        {"key": "age", "type": "number", "text": "Age", "min": 18, "max": 99, "integer": True, "required": False},
        {"key": "note", "type": "text", "text": "Anything else?", "required": False},
    ],
    "scales": [{"key": "risk", "label": "Risk", "items": ["bold", "calm"], "method": "mean", "min_answered": 2}],
}


@pytest.fixture
def q_study(alpha):
    with tenant_context(alpha):
        questionnaire_save(acting_user=None, key="risk", title="Short risk check", definition=DEFINITION)
    publish_flow(
        alpha,
        {"steps": [{"key": "before", "kind": "questionnaire", "settings": {"questionnaire": "risk"}}, page("end")]},
    )
    return alpha


def answer(seq, item, value, rt=900.0):
    return {
        "event_id": str(uuid.uuid4()),
        "seq": seq,
        "type": "item_answer",
        "t": 1000.0 + seq,
        "client_ts": 1_764_000_000_000 + seq,
        "item": item,
        "value": value,
        "rt_ms": rt,
    }


def test_answers_are_stored_exactly_once_under_retries_and_scored_on_submit(q_study):
    gamer = enrol_gamer(q_study)
    started = gamer.post("/api/v1/questionnaires/responses/")
    assert started.status_code == 201, started.content
    body = started.json()
    rid = body["response_id"]
    assert body["questionnaire"] == "risk@1" and body["next_seq"] == 0
    assert gamer.post("/api/v1/questionnaires/responses/").json()["response_id"] == rid  # resumed, not a second
    events = [answer(0, "bold", 4), answer(1, "calm", 5), answer(2, "bold", 2, rt=300.0)]
    url = f"/api/v1/questionnaires/responses/{rid}/events/"
    first = gamer.post(url, {"events": events})
    assert first.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    again = gamer.post(url, {"events": events})  # the answer was lost; the page sends the same batch again
    assert again.json() == {"accepted": 0, "duplicates": 3, "rejected": []}
    mixed = gamer.post(url, {"events": [events[0], answer(3, "age", 130), answer(4, "nope", 1), answer(5, "age", 40)]})
    result = mixed.json()
    assert result["accepted"] == 1 and result["duplicates"] == 1
    assert sorted(r["code"] for r in result["rejected"]) == ["out_of_range", "unknown_item"]
    submitted = gamer.post(f"/api/v1/questionnaires/responses/{rid}/submit/")
    assert submitted.status_code == 200 and submitted.json()["next_url"] == "/flow/"
    with tenant_context(q_study):
        response = QuestionnaireResponse.objects.get(pk=rid)
        assert QuestionnaireEvent.objects.filter(response=response).count() == 4
        assert response.answers == {"bold": 2, "calm": 5, "age": 40}  # the last answer of each item counts
        # Hand-scored: bold 2, calm reversed (1 + 5) - 5 = 1, mean 1.5.
        assert response.scores["scales"]["risk"]["score"] == 1.5
        assert response.flow_version == 1 and response.flow_step == "before"
        assert StepCompletion.objects.get(step_key="before").ref == rid
    assert gamer.post(f"/api/v1/questionnaires/responses/{rid}/submit/").status_code == 200  # retry: same answer
    late = gamer.post(url, {"events": [answer(9, "bold", 5)]})
    assert late.status_code == 409 and late.json()["error"]["code"] == "response_submitted"
    assert gamer.post(url, {"events": events}).json()["duplicates"] == 3  # a late retry of stored events is fine


def test_submit_refuses_missing_required_answers_and_names_them(q_study):
    gamer = enrol_gamer(q_study)
    rid = gamer.post("/api/v1/questionnaires/responses/").json()["response_id"]
    gamer.post(f"/api/v1/questionnaires/responses/{rid}/events/", {"events": [answer(0, "bold", 3)]})
    refused = gamer.post(f"/api/v1/questionnaires/responses/{rid}/submit/")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "answers_missing"
    assert set(refused.json()["error"]["details"]) == {"calm"}


def test_bad_batches_get_a_machine_readable_400_and_someone_elses_response_is_404(q_study):
    gamer = enrol_gamer(q_study)
    other = enrol_gamer(q_study)
    rid = gamer.post("/api/v1/questionnaires/responses/").json()["response_id"]
    url = f"/api/v1/questionnaires/responses/{rid}/events/"
    assert gamer.post(url, {"events": []}).json()["error"]["code"] == "invalid"
    broken = gamer.post(url, {"events": [{"event_id": "x", "seq": -1, "type": "item_answer"}]}).json()
    assert broken["accepted"] == 0 and broken["rejected"][0]["code"] == "schema_violation"
    assert other.post(url, {"events": [answer(0, "bold", 1)]}).status_code == 404


def test_no_questionnaire_is_due_once_it_is_submitted(q_study):
    gamer = enrol_gamer(q_study)
    rid = gamer.post("/api/v1/questionnaires/responses/").json()["response_id"]
    gamer.post(
        f"/api/v1/questionnaires/responses/{rid}/events/", {"events": [answer(0, "bold", 3), answer(1, "calm", 3)]}
    )
    gamer.post(f"/api/v1/questionnaires/responses/{rid}/submit/")
    refused = gamer.post("/api/v1/questionnaires/responses/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_questionnaire_due"


def test_a_condition_can_show_another_questionnaire(alpha):
    with tenant_context(alpha):
        questionnaire_save(acting_user=None, key="risk", title="Risk", definition=DEFINITION)
    publish_flow(
        alpha,
        {
            "steps": [{"key": "q", "kind": "questionnaire", "settings": {"questionnaire": "risk"}}],
            "conditions": [
                {"key": "own", "label": "Own scale"},
                {"key": "ipip", "label": "IPIP", "overrides": {"q": {"questionnaire": "ipip-neo-cautiousness"}}},
            ],
        },
    )
    shown = {enrol_gamer(alpha).post("/api/v1/questionnaires/responses/").json()["questionnaire"] for _ in range(2)}
    assert shown == {"risk@1", "ipip-neo-cautiousness@1"}  # one block of two: each condition once


def test_free_text_is_sealed_in_the_database_and_opened_only_for_the_participant(q_study):
    from pseudonymization.models import ParticipantKey
    from pseudonymization.services import is_sealed_text
    from tests.rights.support import scan

    gamer = enrol_gamer(q_study)
    rid = gamer.post("/api/v1/questionnaires/responses/").json()["response_id"]
    note = "My name is Ada Lovelace 4711"
    events = [answer(0, "bold", 3), answer(1, "calm", 3), answer(2, "note", note)]
    assert gamer.post(f"/api/v1/questionnaires/responses/{rid}/events/", {"events": events}).json()["accepted"] == 3
    assert gamer.get(f"/api/v1/questionnaires/responses/{rid}/").json()["answers"]["note"] == note  # theirs to see
    assert gamer.post(f"/api/v1/questionnaires/responses/{rid}/events/", {"events": events}).json()["duplicates"] == 3
    assert gamer.post(f"/api/v1/questionnaires/responses/{rid}/submit/").status_code == 200
    with tenant_context(q_study):
        response = QuestionnaireResponse.objects.get(pk=rid)
        assert is_sealed_text(response.answers["note"]) and note not in response.answers["note"]
        stored = QuestionnaireEvent.objects.get(response=response, item="note")
        assert is_sealed_text(stored.value) and is_sealed_text(stored.raw["value"])
        assert scan([q_study.schema_name, "public"], [note, "Ada Lovelace"]) == {}  # nowhere in clear
        assert ParticipantKey.objects.filter(participant=response.participant).exists()  # made on first need
        assert response.scores["scales"]["risk"]["score"] == 3.0
    assert gamer.get(f"/api/v1/questionnaires/responses/{rid}/").json()["answers"]["note"] == note
    assert note in gamer.get("/api/v1/me/data/").content.decode()  # their download opens it
