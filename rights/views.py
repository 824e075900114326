"""/my-data/ on a study host: a participant sees, downloads, withdraws and asks for deletion.

Who is asking: the participant cookie of the browser that took part, or the participant code
plus the access secret (shown once, on this page, while the cookie still works). A code+secret
sign-in lives in the Django session, bound to this study's schema. Sign-in attempts are rate
limited per code and per study; nothing here logs a code or a secret.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pseudonymization.authentication import ParticipantPrincipal
from pseudonymization.models import Participant
from pseudonymization.pages import participant_from_request
from research_platform.errors import ApplicationError
from research_platform.ratelimit import consume, limited_response
from rights import services
from rights.forms import SignInForm
from rights.models import DeletionRequest
from rights.selectors import deletion_requests_of, participant_data

SESSION_KEY = "rights_participant"
PAGE = "/my-data/"


def _signed_in(request: HttpRequest) -> Participant | None:
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(value, dict) or value.get("schema") != connection.schema_name:
        return None
    return Participant.objects.exclude(status=Participant.Status.ERASED).filter(pk=value.get("pk")).first()


def _who(request: HttpRequest) -> Participant | None:
    return participant_from_request(request) or _signed_in(request)


def _render(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    response = render(request, f"rights/{template}", {"study": request.tenant, **context}, status=status)
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


def _act(request: HttpRequest, participant: Participant) -> HttpResponse:
    from consent.services import consent_withdraw

    action = request.POST.get("action", "")
    if action == "sign_out":
        request.session.pop(SESSION_KEY, None)
        return HttpResponseRedirect(PAGE, status=303)
    if action == "secret":
        secret = services.access_secret_issue(participant=participant)
        return _render(request, "secret.html", participant=participant, secret=secret)
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
                actor=ParticipantPrincipal(participant=participant),
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
        return _render(request, "sign_in.html", form=SignInForm())
    if request.method == "POST":
        return _act(request, participant)
    requests = deletion_requests_of(participant=participant)
    return _render(
        request,
        "my_data.html",
        participant=participant,
        data=_summary(participant),
        requests=requests,
        done=request.GET.get("done", ""),
        signed_in=_signed_in(request) is not None,
    )


@require_http_methods(["GET", "HEAD"])
def my_data_download(request: HttpRequest) -> HttpResponse:
    participant = _who(request)
    if participant is None:
        return HttpResponseRedirect(PAGE, status=303)
    data = services.participant_data_read(participant=participant, actor=ParticipantPrincipal(participant=participant))
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response
