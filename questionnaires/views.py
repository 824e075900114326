"""The questionnaire page (`/questionnaire/`): the step now due, as a Django template plus local JavaScript.

The items are rendered here (labels, fieldsets, radio groups a screen reader announces); the script
only records each answer as an event with its response time, queues it in the browser while
offline, and submits once every event is stored.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from consent.gate import consent_required
from core.study import current_study
from questionnaires.apis import NEXT_URL, start_due
from questionnaires.flow_step import due_questionnaire_step, parse_ref
from questionnaires.selectors import (
    answers_opened,
    questionnaire_get,
    questionnaire_latest,
    response_answers_so_far,
)
from questionnaires.services import MAX_EVENTS


def display_items(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Each item with what the template needs: its choices as (value, label) pairs, likert points labelled."""
    out = []
    for item in definition["items"]:
        shown = dict(item)
        if item["type"] == "likert":
            lo = int(item.get("min", 1))
            anchors = item.get("anchors") or {}
            if isinstance(anchors, list):
                anchors = {str(lo + i): label for i, label in enumerate(anchors)}
            shown["choices"] = [(str(v), str(anchors.get(str(v), ""))) for v in range(lo, lo + int(item["points"]))]
        elif item["type"] in ("single", "multiple"):
            shown["choices"] = [(o["value"], o["label"]) for o in item["options"]]
        out.append(shown)
    return out


def _context(request: HttpRequest, title: str, definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "study": current_study(request),
        "title": title,
        "instructions": definition.get("instructions", ""),
        "items": display_items(definition),
    }


@consent_required
@ensure_csrf_cookie
def questionnaire_page(request: HttpRequest) -> HttpResponse:
    participant = request.participant  # type: ignore[attr-defined]
    due = due_questionnaire_step(participant)
    if due is None:
        return HttpResponseRedirect(NEXT_URL)  # not a questionnaire's turn: the flow knows where to go
    response, _created = start_due(participant)
    key, version = parse_ref(due.ref)
    questionnaire = questionnaire_get(key=key, version=version or 0)
    assert questionnaire is not None  # start_due found it
    storage_key = "rp-q:" + hashlib.sha256(f"{connection.schema_name}|{response.pk}".encode()).hexdigest()[:16]
    boot = {
        "response_id": str(response.pk),
        "events_url": f"/api/v1/questionnaires/responses/{response.pk}/events/",
        "submit_url": f"/api/v1/questionnaires/responses/{response.pk}/submit/",
        "csrf_token": get_token(request),
        "storage_key": storage_key,
        "next_seq": (response.max_seq + 1) if response.max_seq is not None else 0,
        "answers": answers_opened(response=response, answers=response_answers_so_far(response=response)),
        "max_batch": min(100, MAX_EVENTS),
        "next_url": NEXT_URL,
    }
    context = {
        **_context(request, due.title or questionnaire.title, questionnaire.definition),
        "boot": boot,
        "progress": due,
        "participant_code": participant.participant_code,
    }
    page = render(request, "questionnaires/questionnaire.html", context)
    page["Cache-Control"] = "no-store"
    return page


def questionnaire_preview_response(
    request: HttpRequest,
    title: str,
    settings: dict[str, Any],
    *,
    back_url: str = "/manage/flow/",
    back_label: str = "Back to the flow",
) -> HttpResponse:
    """The questionnaire as a participant sees it; nothing is sent (the caller checked the manager's role)."""
    key, version = parse_ref(str(settings.get("questionnaire", "")))
    questionnaire = questionnaire_get(key=key, version=version) if version else questionnaire_latest(key=key)
    if questionnaire is None:
        return HttpResponse("This step names no stored questionnaire.", status=404, content_type="text/plain")
    context = {
        **_context(request, title or questionnaire.title, questionnaire.definition),
        "boot": {"preview": True},
        "preview": {"back_url": back_url, "back_label": back_label},
    }
    return render(request, "questionnaires/questionnaire.html", context)
