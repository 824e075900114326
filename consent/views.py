"""The participant's consent pages on a study host: read, agree (or decline), withdraw.

GET `/` and `/consent/` show the current document; POST `/consent/` records the agreement, sets
the participant cookie and sends the browser to `/play/`. A survey-panel id in the study link
travels through the form only sealed (pseudonymization.carry), never as readable text.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from consent.forms import ConsentForm, WithdrawForm
from consent.models import ConsentRecord
from consent.selectors import consent_document_current, consent_settings_get, participant_has_active_consent
from consent.services import consent_give, consent_withdraw
from core.errors import ApplicationError
from core.study import current_study
from pseudonymization.authentication import COOKIE_NAME
from pseudonymization.carry import external_id_open_from_form, external_id_seal_for_form
from pseudonymization.pages import participant_from_request
from pseudonymization.services import participant_holds_external_id

PLAY_URL = "/flow/"  # the study's flow: its first step (the game, unless the study designed one)
FINISHED = {"completed", "processed", "flagged"}


def _page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, f"consent/{template}", {"study": current_study(request), **context}, status=status)


def _external_id_from_link(request: HttpRequest) -> str | None:
    """The panel id from the study link's query, first configured parameter that is present."""
    for name in consent_settings_get().external_id_params:
        value = request.GET.get(str(name))
        if value:
            return value
    return None


def _stage(participant: Any) -> str:
    """new, playing or finished, read through reverse relations (consent sits below games and flows)."""
    statuses = set(participant.sessions.values_list("status", flat=True))
    flow = participant.flow if hasattr(participant, "flow") else None  # one-to-one: absent until joined
    if flow is None:
        return "playing" if "in_progress" in statuses else "finished" if statuses & FINISHED else "new"
    definition = flow.version.definition
    due = sum(
        1
        for number in range(1, int(definition["sessions"]["count"]) + 1)
        for step in definition["steps"]
        if not step["sessions"] or number in step["sessions"]
    )
    done = participant.step_completions.count()
    return "finished" if done >= due else "playing" if done or "in_progress" in statuses else "new"


def _consent_form_page(request: HttpRequest, form: ConsentForm, status: int = 200, notice: str = "") -> HttpResponse:
    document = consent_document_current()
    return _page(request, "consent.html", status, document=document, form=form, notice=notice)


@require_http_methods(["GET", "HEAD", "POST"])
def consent_page(request: HttpRequest) -> HttpResponse:
    study = current_study(request)
    if study is None or not study.accepts_participants:
        return _page(request, "not_recruiting.html")
    document = consent_document_current()
    if document is None:
        return _page(request, "unavailable.html")
    if request.method == "POST":
        return _consent_submit(request)
    participant = participant_from_request(request)
    if participant is not None and participant.status != participant.Status.ACTIVE:
        return _page(request, "withdrawn.html", participant=participant, already=True)
    if participant is not None and participant_has_active_consent(participant=participant):
        # Through the reverse relation, not a games import: consent sits below games in the layers.
        stage = _stage(participant)
        return _page(request, "already.html", participant=participant, play_url=PLAY_URL, stage=stage)
    carry = ""
    raw = _external_id_from_link(request)
    if raw is not None:
        try:
            carry = external_id_seal_for_form(raw)
        except ApplicationError:
            # Never echo what the panel sent: it identifies someone.
            return _page(request, "bad_link.html", status=400)
    form = ConsentForm(initial={"consent_version": document.version, "consent_sha256": document.sha256, "carry": carry})
    # A known, active participant here without a valid consent is asked to agree to a new version.
    return _consent_form_page(request, form, notice="new_version" if participant is not None else "")


def _consent_submit(request: HttpRequest) -> HttpResponse:
    if "decline" in request.POST:
        # Declining stores nothing at all: no participant, no record, no cookie.
        return HttpResponseRedirect("/consent/declined/", status=303)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _consent_form_page(request, form, status=400)
    data = form.cleaned_data
    try:
        external_id = external_id_open_from_form(data["carry"]) if data["carry"] else None
        known = participant_from_request(request)
        if (
            known is not None
            and external_id is not None
            and not participant_holds_external_id(participant=known, external_id=external_id)
        ):
            known = None  # another panel id in this browser: another person, enrolled on their own
        given = consent_give(
            version=data["consent_version"],
            sha256=data["consent_sha256"],
            external_id=external_id,
            participant=known,  # re-consent from the same browser; a withdrawn one is refused
            method=ConsentRecord.Method.WEB,
        )
    except ApplicationError as exc:
        return _refusal(request, exc, data)
    response = HttpResponseRedirect(PLAY_URL, status=303)
    response.set_cookie(
        COOKIE_NAME,
        given.token,
        max_age=consent_settings_get().token_lifetime_hours * 3600,
        httponly=True,  # the game's scripts never need to read it
        samesite="Lax",  # sent when following the panel's link, not on cross-site POSTs
        secure=settings.SESSION_COOKIE_SECURE,  # True in production settings
    )
    return response


def _refusal(request: HttpRequest, exc: ApplicationError, data: dict[str, Any]) -> HttpResponse:
    if exc.code == "consent_outdated":
        document = consent_document_current()
        assert document is not None
        form = ConsentForm(
            initial={
                "consent_version": document.version,
                "consent_sha256": document.sha256,
                "carry": data.get("carry", ""),
            }
        )
        return _consent_form_page(request, form, status=409, notice="outdated")
    if exc.code == "not_recruiting":
        return _page(request, "not_recruiting.html", status=409)
    if exc.code == "withdrawn":
        return _page(request, "withdrawn.html", status=409, already=True)
    return _page(request, "bad_link.html", status=exc.status_code)


def declined_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "declined.html")


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw_page(request: HttpRequest) -> HttpResponse:
    """Withdraw from the study from the browser that took part (the cookie says who)."""
    participant = participant_from_request(request)
    if participant is None:
        return _page(request, "withdraw.html", participant=None, form=None)
    if participant.status != participant.Status.ACTIVE:
        return _page(request, "withdrawn.html", participant=participant, already=True)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        participant = consent_withdraw(participant=participant, reason=form.cleaned_data["reason"])
        return _page(request, "withdrawn.html", participant=participant)
    return _page(
        request, "withdraw.html", participant=participant, form=form, status=400 if request.method == "POST" else 200
    )
