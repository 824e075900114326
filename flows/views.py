"""The participant's way through a study's flow (on the study host, behind the consent gate).

``/flow/`` is where every step sends the browser when it is done: it finds the participant's
position (joining the live version on the first visit, with a drawn condition) and sends them to
the page of the step now due, or shows when the next session opens, or the end of the study.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from consent.gate import consent_required
from consent.selectors import completion_url
from core.study import current_study
from flows.pages import paragraphs
from flows.registry import kind_get
from flows.selectors import Position, position_of
from flows.services import flow_join, step_complete

FLOW_URL = "/flow/"


def participant_position(request: HttpRequest) -> Position:
    """The consented participant's position (they join the live version here on first need)."""
    return position_of(flow_join(participant=request.participant))  # type: ignore[attr-defined]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@consent_required
@require_http_methods(["GET", "HEAD"])
def flow_page(request: HttpRequest) -> HttpResponse:
    position = participant_position(request)
    participant = request.participant  # type: ignore[attr-defined]
    if position.state == "step":
        assert position.step is not None
        return _no_store(HttpResponseRedirect(kind_get(position.step.kind).url))
    context = {
        "study": current_study(request),
        "position": position,
        "participant_code": participant.participant_code,
    }
    if position.state == "wait":
        return _no_store(render(request, "flows/wait.html", context))
    context["completion_url"] = completion_url(participant=participant)
    return _no_store(render(request, "flows/done.html", context))


@consent_required
@require_http_methods(["GET", "HEAD", "POST"])
def information_page(request: HttpRequest) -> HttpResponse:
    position = participant_position(request)
    if position.state != "step" or position.step is None or position.step.kind != "page":
        return HttpResponseRedirect(FLOW_URL)  # not this page's turn: the runner knows where to go
    if request.method == "POST":
        step_complete(
            participant=request.participant,  # type: ignore[attr-defined]
            session_number=position.session_number,
            step_key=position.step.key,
            kind="page",
        )
        return HttpResponseRedirect(FLOW_URL, status=303)
    assert position.settings is not None
    context = {
        "study": current_study(request),
        "position": position,
        "title": position.step.title,
        "paragraphs": paragraphs(position.settings["body"]),
        "button_label": position.settings["button_label"],
    }
    return _no_store(render(request, "flows/page.html", context))
