"""GET /play/: behind the consent gate, everything served locally, what the script needs embedded."""

from __future__ import annotations

import json
import re

from django_tenants.utils import tenant_context

from tests.games.support import enrol_gamer


def test_without_consent_the_game_sends_you_to_the_consent_page(alpha_client):
    response = alpha_client.get("/play/")
    assert response.status_code == 302 and response["Location"] == "/consent/"


def test_the_game_page_embeds_a_csrf_token_and_the_code_but_never_the_participant_token(alpha):
    gamer = enrol_gamer(alpha)
    gamer.client.cookies["participant_token"] = gamer.token
    response = gamer.client.get("/play/")
    assert response.status_code == 200
    html = response.content.decode()
    boot = json.loads(re.search(r'<script id="bg-boot" type="application/json">(.*?)</script>', html).group(1))
    assert boot["sessions_url"] == "/api/v1/game/sessions/" and boot["csrf_token"]
    assert boot["results_url"] == "/results/" and 'href="/results/">See your results</a>' in html
    assert gamer.token not in html
    # The pseudonymous code is shown (the consent text tells people to keep it); the token never is.
    assert gamer.code in html
    assert not re.search(r'(src|href)="https?://', html)  # no CDN
    assert response["Cache-Control"] == "no-store"


def test_the_cookie_authenticates_the_game_api_only_with_the_csrf_token(alpha):
    gamer = enrol_gamer(alpha)
    gamer.client.cookies["participant_token"] = gamer.token
    csrf_client = type(gamer.client)(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    csrf_client.cookies["participant_token"] = gamer.token
    refused = csrf_client.post("/api/v1/game/sessions/", {}, content_type="application/json")
    assert refused.status_code == 403
    page = csrf_client.get("/play/")
    token = json.loads(
        re.search(r'id="bg-boot" type="application/json">(.*?)</script>', page.content.decode()).group(1)
    )["csrf_token"]
    allowed = csrf_client.post("/api/v1/game/sessions/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 201


def test_the_completion_redirect_of_the_study_reaches_the_page(alpha):
    from consent.selectors import consent_settings_get

    gamer = enrol_gamer(alpha)
    with tenant_context(alpha):
        settings_row = consent_settings_get()
        settings_row.completion_url = "https://panel.example/done?code={participant_code}"
        settings_row.save()
    gamer.client.cookies["participant_token"] = gamer.token
    html = gamer.client.get("/play/").content.decode()
    boot = json.loads(re.search(r'id="bg-boot" type="application/json">(.*?)</script>', html).group(1))
    assert boot["completion_url"] == f"https://panel.example/done?code={gamer.code}"
