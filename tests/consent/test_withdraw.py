"""Withdrawal: POST /api/v1/me/withdraw/ and the /withdraw/ page; tokens revoked, no further data."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django_tenants.utils import tenant_context

from consent.gate import consent_required
from consent.models import ConsentRecord
from pseudonymization.authentication import COOKIE_NAME
from pseudonymization.models import Participant, ParticipantToken
from tests.consent.support import bearer, enrol, publish
from tests.pseudonymization.test_participant_auth import WhoAmI


class RightsProbe(WhoAmI):
    allow_withdrawn = True


@consent_required
def play_probe(request):
    return HttpResponse(f"playing as {request.participant.participant_code}")


urlpatterns = [
    path("probe/", WhoAmI.as_view()),
    path("rights-probe/", RightsProbe.as_view()),
    path("play-probe/", play_probe),
]


def test_withdrawing_revokes_tokens_and_records_the_reason(alpha, alpha_client, participant):
    response = alpha_client.post(
        "/api/v1/me/withdraw/", {"reason": "No time"}, content_type="application/json", **participant.auth
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn" and response.json()["participant_code"] == participant.code
    with tenant_context(alpha):
        assert not ParticipantToken.objects.filter(revoked_at__isnull=True).exists()
        record = ConsentRecord.objects.get()
        assert record.withdrawn_at is not None and record.withdrawal_reason == "No time"
        assert Participant.objects.get().status == "withdrawn"


def test_a_reason_is_optional_and_withdrawing_twice_is_harmless(alpha_client, participant):
    first = alpha_client.post("/api/v1/me/withdraw/", **participant.auth)
    again = alpha_client.post("/api/v1/me/withdraw/", **participant.auth)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["withdrawn_at"] == again.json()["withdrawn_at"]


def test_after_withdrawal_participant_endpoints_answer_409(alpha_client, participant, settings):
    alpha_client.post("/api/v1/me/withdraw/", **participant.auth)
    settings.ROOT_URLCONF = __name__
    response = alpha_client.post("/probe/", **participant.auth)
    assert response.status_code == 409 and response.json()["error"]["code"] == "withdrawn"
    # ...while the person's own rights endpoints still know who is asking.
    assert alpha_client.get("/rights-probe/", **participant.auth).status_code == 200


def test_withdrawing_needs_a_participant_token(alpha_client):
    assert alpha_client.post("/api/v1/me/withdraw/").status_code == 401


def test_a_withdrawn_participant_stays_withdrawn_when_the_panel_id_returns(alpha, alpha_client):
    """No 409 that tells a stranger the id withdrew: a new, separate participant, marked duplicate."""
    document = publish(alpha)
    first = enrol(alpha_client, document, external_id="panel-42-abc").json()
    alpha_client.post("/api/v1/me/withdraw/", **bearer(first["token"]))
    again = enrol(alpha_client, document, external_id="panel-42-abc")
    assert again.status_code == 201 and again.json()["participant_code"] != first["participant_code"]
    withdrawn = alpha_client.post(
        "/api/v1/game/sessions/", {}, content_type="application/json", **bearer(first["token"])
    )
    assert withdrawn.status_code == 409 and withdrawn.json()["error"]["code"] == "withdrawn"
    with tenant_context(alpha):
        original = Participant.objects.get(participant_code=first["participant_code"])
        assert original.status == Participant.Status.WITHDRAWN
        assert Participant.objects.get(participant_code=again.json()["participant_code"]).duplicate_of == original


def test_the_withdraw_page_withdraws_the_browsers_participant(alpha):
    publish(alpha)
    browser = Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    html = browser.get("/consent/").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    browser.post("/consent/", {**fields, "agree": "on"})
    assert COOKIE_NAME in browser.cookies
    page = browser.get("/withdraw/").content.decode()
    assert "Withdraw my consent" in page
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    done = browser.post("/withdraw/", {"csrfmiddlewaretoken": csrf, "reason": ""})
    assert done.status_code == 200 and "No further data from you is accepted" in done.content.decode()
    with tenant_context(alpha):
        assert Participant.objects.get().status == "withdrawn"
    # Back on the consent page, the browser is told it withdrew (no new participant is made).
    assert "You have withdrawn" in browser.get("/consent/").content.decode()


def test_the_withdraw_page_without_a_participation_explains_what_to_do(alpha_client):
    response = alpha_client.get("/withdraw/")
    assert response.status_code == 200 and "no participation in this study" in response.content.decode()


def test_a_page_behind_the_consent_gate_refuses_play_without_consent(alpha, settings):
    """What /play/ uses (consent.gate.consent_required): no consent or withdrawn -> /consent/."""
    settings.ROOT_URLCONF = __name__
    publish(alpha)
    browser = Client(HTTP_HOST=alpha.domain_name)
    assert browser.get("/play-probe/")["Location"] == "/consent/"
    browser.cookies[COOKIE_NAME] = "pt_forged"
    assert browser.get("/play-probe/")["Location"] == "/consent/"
    settings.ROOT_URLCONF = "research_platform.urls_tenants"
    html = browser.get("/consent/").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    browser.post("/consent/", {**fields, "agree": "on"})
    settings.ROOT_URLCONF = __name__
    assert browser.get("/play-probe/").content.decode().startswith("playing as P-")
    settings.ROOT_URLCONF = "research_platform.urls_tenants"
    browser.post("/withdraw/", {"reason": ""})
    settings.ROOT_URLCONF = __name__
    assert browser.get("/play-probe/")["Location"] == "/consent/"
