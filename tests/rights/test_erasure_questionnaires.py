"""Erasure reaches the flow and the questionnaires: responses, item events (free text included), the condition."""

from __future__ import annotations

import uuid

from django_tenants.utils import tenant_context

from flows.models import ParticipantFlow, StepCompletion
from questionnaires.models import QuestionnaireEvent, QuestionnaireResponse
from questionnaires.services import questionnaire_save
from rights.services import deletion_request_execute, deletion_request_file, deletion_request_verify
from tests.conftest import enrolled
from tests.consent.support import bearer
from tests.flows.support import publish_flow
from tests.rights.support import scan

DEFINITION = {
    "items": [
        {"key": "mood", "type": "likert", "text": "Mood", "points": 5, "anchors": ["Low", "High"]},
        {"key": "note", "type": "text", "text": "Anything else?", "required": False},
    ]
}


def _answer(seq: int, item: str, value: object) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "seq": seq,
        "type": "item_answer",
        "t": 10.0 * seq,
        "client_ts": 1_764_000_000_000,
        "item": item,
        "value": value,
        "rt_ms": 500.0,
    }


def _respond(client, person, note: str) -> str:
    rid = client.post("/api/v1/questionnaires/responses/", {}, content_type="application/json", **bearer(person.token))
    rid = rid.json()["response_id"]
    events = [_answer(0, "mood", 4), _answer(1, "note", note)]
    client.post(
        f"/api/v1/questionnaires/responses/{rid}/events/",
        {"events": events},
        content_type="application/json",
        **bearer(person.token),
    )
    done = client.post(
        f"/api/v1/questionnaires/responses/{rid}/submit/", {}, content_type="application/json", **bearer(person.token)
    )
    assert done.status_code == 200, done.content
    return rid


def test_erasure_deletes_questionnaire_responses_events_and_the_flow_place_and_leaves_others(alpha, alpha_client, cast):
    with tenant_context(alpha):
        questionnaire_save(acting_user=None, key="mood", title="Mood", definition=DEFINITION)
    publish_flow(
        alpha,
        {
            "steps": [{"key": "q", "kind": "questionnaire", "settings": {"questionnaire": "mood"}}],
            "conditions": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
        },
    )
    person = enrolled(alpha, alpha_client)
    bystander = enrolled(alpha, alpha_client)
    rid = _respond(alpha_client, person, "my secret remark 7f3a")
    other = _respond(alpha_client, bystander, "a bystander's remark")
    with tenant_context(alpha):
        assert scan([alpha.schema_name], ["my secret remark 7f3a", rid])
        request, _ = deletion_request_file(
            participant=person.participant, source="manager", acting_user=cast["manager"]
        )
        request = deletion_request_verify(request=request, acting_user=cast["manager"])
        request = deletion_request_execute(request=request)
        assert request.status == "executed"
        assert request.counts["questionnaire_responses"] == 1 and request.counts["questionnaire_events"] == 2
        assert request.counts["flow"] == 2  # the completed step and the drawn condition
        assert scan([alpha.schema_name, "public"], ["my secret remark 7f3a", rid]) == {}
        assert not QuestionnaireResponse.objects.filter(participant=person.participant).exists()
        assert not ParticipantFlow.objects.filter(participant=person.participant).exists()
        assert not StepCompletion.objects.filter(participant=person.participant).exists()
        # The bystander keeps everything.
        assert QuestionnaireResponse.objects.filter(pk=other).exists()
        assert QuestionnaireEvent.objects.filter(response_id=other).count() == 2
        assert ParticipantFlow.objects.filter(participant=bystander.participant).exists()
