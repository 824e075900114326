"""/my-data/ on a study host: a participant sees, downloads, withdraws and asks for deletion.

Who is asking: the participant cookie of the browser that took part, or the participant code
plus the access secret (shown once, on this page, while the cookie still works). A code+secret
sign-in lives in the Django session, bound to this study's schema. Sign-in attempts are rate
limited per code and per study; nothing here logs a code or a secret.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.errors import ApplicationError
from core.ratelimit import consume, limited_response
from core.study import current_study
from pseudonymization.authentication import COOKIE_NAME, ParticipantPrincipal
from pseudonymization.models import Participant
from pseudonymization.pages import participant_from_request
from pseudonymization.selectors import participant_not_erased_get
from rights import services
from rights.forms import SignInForm
from rights.models import DeletionRequest
from rights.selectors import deletion_request_executed_get, deletion_requests_of, participant_data

SESSION_KEY = "rights_participant"
PAGE = "/my-data/"
CONFIRM = {
    "withdraw": {
        "title": "Withdraw from the study?",
        "explanation": "No further data from you will be accepted and you cannot take part again. The data "
        "already recorded stays until you ask for it to be deleted.",
        "confirm_label": "Yes, withdraw",
    },
    "delete": {
        "title": "Delete all your data?",
        "explanation": "Everything this study recorded about you (consent, games, results) will be deleted once the "
        "study team has checked the request. You will receive a deletion certificate.",
        "confirm_label": "Yes, delete my data",
    },
}
STATUS_TEXT = {
    "active": "You are taking part.",
    "withdrawn": "You withdrew: no further data from you is accepted.",
    "erased": "Your data was deleted.",
}
SESSION_TEXT = {
    "in_progress": "not finished yet",
    "completed": "finished, results being prepared",
    "processed": "finished",
    "flagged": "finished (marked for the study team to check)",
    "abandoned": "stopped before the end",
}
REQUEST_TEXT = {
    "received": "received, waiting for the study team's check",
    "verified": "checked, deletion under way",
    "executed": "done: your data was deleted",
    "rejected": "not carried out",
}


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _page_context(participant: Participant) -> dict[str, Any]:
    """What the page shows, in plain words and real dates (the download keeps the raw values)."""
    data = _summary(participant)
    requests = deletion_requests_of(participant=participant)
    for r in requests:
        r.status_text = REQUEST_TEXT.get(r.status, r.status)  # type: ignore[attr-defined]
    return {
        "data": data,
        "status_text": STATUS_TEXT.get(participant.status, participant.status),
        "consent": [
            {
                "version": c["document_version"],
                "agreed_at": _when(c["agreed_at"]),
                "withdrawn_at": _when(c["withdrawn_at"]),
            }
            for c in data["consent"]
        ],
        "sessions": [
            {
                "started_at": _when(s["started_at"]),
                "status_text": SESSION_TEXT.get(s["status"], s["status"]),
                "balloons": len(s["balloons"]),
                "events": len(s["events"]),
            }
            for s in data["sessions"]
        ],
        "results_count": len(data["trait_profiles"]),
        "questionnaires": [
            {
                "title": r["questionnaire_title"],
                "started_at": _when(r["started_at"]),
                "submitted": r["status"] == "submitted",
                "answers": len(r["answers"]) if r["status"] == "submitted" else None,
                "events": len(r["events"]),
            }
            for r in data["questionnaire_responses"]
        ],
        "condition": (data.get("flow") or {}).get("condition") or "",
        "requests": requests,
        "pending": next((r for r in requests if r.status in ("received", "verified")), None),
    }


def _signed_in(request: HttpRequest) -> Participant | None:
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(value, dict) or value.get("schema") != connection.schema_name:
        return None
    return participant_not_erased_get(pk=value.get("pk"))


def _who(request: HttpRequest) -> Participant | None:
    return participant_from_request(request) or _signed_in(request)


def _render(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    response = render(request, f"rights/{template}", {"study": current_study(request), **context}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _summary(participant: Participant) -> dict[str, Any]:
    # The page shows the same data as the download, without decrypting the identifier.
    data = participant_data(participant=participant, external_id=None)
    data["has_external_id"] = participant.has_external_id
    return data


def _sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _render(request, "sign_in.html", status=400, form=form)
    code = form.cleaned_data["participant_code"]
    if settings.RATE_LIMITS_ENABLED:
        schema = connection.schema_name
        wait = max(consume("my_data", f"{schema}:{code}"), consume("my_data_host", schema))
        if wait:
            return limited_response(request, wait)
    participant = services.access_secret_check(participant_code=code, secret=form.cleaned_data["secret"])
    if participant is None:
        form.add_error(None, "That code and secret do not match.")
        return _render(request, "sign_in.html", status=400, form=form)
    request.session.cycle_key()  # a fresh session id at sign-in (no fixation)
    request.session[SESSION_KEY] = {"schema": connection.schema_name, "pk": participant.pk}
    return HttpResponseRedirect(PAGE, status=303)


def _continue_here(request: HttpRequest, participant: Participant) -> HttpResponse:
    """A returning participant signed in with code and secret gets this browser's participant cookie.

    Only while they may still take part (active, with a current consent); the token is a new one,
    so the device they first used keeps its own.
    """
    from consent.selectors import consent_settings_get, participant_has_active_consent
    from pseudonymization.services import token_issue

    if participant.status != Participant.Status.ACTIVE or not participant_has_active_consent(participant=participant):
        return _render(request, "error.html", status=409, message="You can no longer take part in this study.")
    hours = consent_settings_get().token_lifetime_hours
    token, _row = token_issue(participant=participant, lifetime=dt.timedelta(hours=hours))
    response = HttpResponseRedirect("/flow/", status=303)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=hours * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _act(request: HttpRequest, participant: Participant) -> HttpResponse:
    from consent.services import consent_withdraw

    action = request.POST.get("action", "")
    if action == "sign_out":
        request.session.pop(SESSION_KEY, None)
        return HttpResponseRedirect(PAGE, status=303)
    if action == "continue":
        return _continue_here(request, participant)
    if action == "secret":
        secret = services.access_secret_issue(participant=participant)
        return _render(request, "secret.html", participant=participant, secret=secret)
    if action in CONFIRM and request.POST.get("confirm") != "yes":
        # Irreversible: a page that says what happens, and a second, deliberate press.
        return _render(request, "confirm.html", action=action, **CONFIRM[action])
    if action == "withdraw":
        from consent.forms import WithdrawForm

        form = WithdrawForm({"reason": request.POST.get("reason", "")[:2000]})
        if not form.is_valid():  # a NUL character: PostgreSQL cannot store it
            return _render(request, "error.html", status=400, message="The reason contains characters not allowed.")
        consent_withdraw(participant=participant, reason=form.cleaned_data["reason"])
        return HttpResponseRedirect(PAGE + "?done=withdrawn", status=303)
    if action == "delete":
        try:
            services.deletion_request_file(
                participant=participant,
                source=DeletionRequest.Source.PARTICIPANT,
                acting_user=ParticipantPrincipal(participant=participant),
            )
        except ApplicationError as exc:
            return _render(request, "error.html", status=exc.status_code, message=exc.message)
        return HttpResponseRedirect(PAGE + "?done=deletion", status=303)
    return _render(request, "error.html", status=400, message="Unknown action.")


@require_http_methods(["GET", "HEAD", "POST"])
def my_data_page(request: HttpRequest) -> HttpResponse:
    participant = _who(request)
    if participant is None:
        if request.method == "POST":
            return _sign_in(request)
        # A participant cookie that no longer opens anything: its data was deleted or its access ended.
        gone = bool(request.COOKIES.get("participant_token"))
        return _render(request, "sign_in.html", form=SignInForm(), gone=gone)
    if request.method == "POST":
        return _act(request, participant)
    return _render(
        request,
        "my_data.html",
        participant=participant,
        done=request.GET.get("done", ""),
        signed_in=_signed_in(request) is not None,
        # Signed in with code and secret on a device without the participant cookie: they may go on here.
        can_continue=participant_from_request(request) is None and participant.status == Participant.Status.ACTIVE,
        **_page_context(participant),
    )


@require_http_methods(["GET", "HEAD"])
def certificate_page(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The deletion certificate as a page a person can read and print; the JSON stays at the API.

    Like the API, the random request id is the capability (the certificate holds no personal data).
    """
    row = deletion_request_executed_get(request_id=request_id)
    if row is None:
        raise Http404("No executed deletion request with this id.")
    certificate = row.certificate or {}
    return _render(
        request,
        "certificate.html",
        certificate=certificate,
        request_id=str(row.pk),
        sha256=row.certificate_sha256,
        requested_by=DeletionRequest.Source(certificate.get("requested_by", row.source)).label,
        received_at=_when(certificate.get("received_at")),
        executed_at=_when(certificate.get("executed_at")),
        erased_total=sum(int(v) for v in (certificate.get("erased") or {}).values()),
    )


@require_http_methods(["GET", "HEAD"])
def my_data_download(request: HttpRequest) -> HttpResponse:
    participant = _who(request)
    if participant is None:
        return HttpResponseRedirect(PAGE, status=303)
    data = services.participant_data_read(
        participant=participant, acting_user=ParticipantPrincipal(participant=participant)
    )
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response
