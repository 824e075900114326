"""Helpers for tests that need answered questionnaires: a questionnaire, a flow showing it under two
conditions, and participants who answer it through the real services (start, event batches, submit)."""

from __future__ import annotations

import uuid
from typing import Any

from django_tenants.utils import tenant_context

from tests.conftest import Enrolled, enrolled
from tests.flows.support import publish_flow

FREE_TEXT = "I like long walks; call me on 0123"


def definition(*, export_free_text: bool = False) -> dict[str, Any]:
    likert = {"type": "likert", "points": 5, "anchors": ["Disagree", "Agree"]}
    return {
        "title": "Mood and more",
        "export_free_text": export_free_text,
        "items": [
            {"key": "e1", "text": "I talk a lot.", **likert},
            {"key": "e2", "text": "I lead.", **likert},
            {"key": "e3", "text": "I am quiet.", "reverse": True, **likert},
            {
                "key": "hobbies",
                "type": "multiple",
                "text": "Hobbies?",
                "options": [{"value": "read", "label": "Reading"}, {"value": "run", "label": "Running"}],
            },
            {
                "key": "att",
                "type": "single",
                "text": "Choose B.",
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                "attention_check": {"expected": "b"},
            },
            {"key": "comment", "type": "text", "text": "Anything else?", "required": False},
        ],
        "scales": [
            {
                "key": "ext",
                "label": "Extraversion",
                "items": ["e1", "e2", "e3"],
                "method": "mean",
                "subscales": [{"key": "ext-lead", "label": "Leading", "items": ["e1", "e2"]}],
            }
        ],
    }


def questionnaire_flow(study: Any, *, export_free_text: bool = False) -> Any:
    """The questionnaire ``mood`` (version 1) and a live flow showing it as step ``q1`` under two conditions."""
    from questionnaires.services import questionnaire_save

    with tenant_context(study):
        questionnaire = questionnaire_save(
            acting_user=None, key="mood", title="Mood", definition=definition(export_free_text=export_free_text)
        )
    publish_flow(
        study,
        {
            "steps": [{"key": "q1", "kind": "questionnaire", "settings": {"questionnaire": "mood@1"}}],
            "conditions": [{"key": "warm", "label": "Warm framing"}, {"key": "cold", "label": "Cold framing"}],
        },
    )
    return questionnaire


def answer_event(seq: int, item: str, value: Any, rt_ms: float) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "seq": seq,
        "type": "item_answer",
        "t": 1000.0 * (seq + 1),
        "client_ts": 1_732_521_700_000 + seq,
        "item": item,
        "value": value,
        "rt_ms": rt_ms,
    }


ANSWERS: list[tuple[str, Any, float]] = [
    ("e1", 2, 900.0),
    ("e1", 4, 450.0),  # changed once: the last answer (4) and its rt count
    ("e2", 5, 800.0),
    ("e3", 2, 700.0),
    ("hobbies", ["read", "run"], 1200.0),
    ("att", "b", 600.0),
    ("comment", FREE_TEXT, 5000.0),
]


def answered(study: Any, client: Any, *, pilot: bool = False, submit: bool = True) -> tuple[Enrolled, Any]:
    """A participant enrolled through the API who joins the flow and answers ``mood`` (ANSWERS)."""
    from flows.services import flow_join
    from pseudonymization.models import Participant
    from questionnaires.models import Questionnaire
    from questionnaires.services import DueQuestionnaire, response_ingest, response_start, response_submit

    person = enrolled(study, client)
    with tenant_context(study):
        if pilot:
            Participant.objects.filter(pk=person.participant.pk).update(pilot=True)
            person.participant.refresh_from_db()
        flow = flow_join(participant=person.participant)
        due = DueQuestionnaire(
            questionnaire=Questionnaire.objects.get(key="mood", version=1),
            version=flow.version.number,
            session_number=1,
            step_key="q1",
            condition=flow.condition,
        )
        response, _ = response_start(participant=person.participant, due=due)
        events = [answer_event(seq, item, value, rt) for seq, (item, value, rt) in enumerate(ANSWERS)]
        result = response_ingest(response=response, events=events)
        assert result.accepted == len(events), result.rejected
        if submit:
            response = response_submit(response=response)
    return person, response
