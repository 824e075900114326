"""Managers draft and publish consent versions and set consent settings (API and /manage/consent/)."""

from __future__ import annotations

import re

from django.test import Client
from django_tenants.utils import tenant_context

from consent.models import ConsentDocument
from consent.selectors import completion_url, consent_document_current, consent_settings_get
from pseudonymization.models import Participant
from tests.conftest import api_client_for
from tests.consent.support import enrol, publish

HOST = "alpha.localhost"


def test_a_manager_drafts_and_publishes_a_version_through_the_api(alpha, alpha_client, cast):
    manager = api_client_for(cast["manager"], HOST)
    draft = manager.post(
        "/api/v1/consent/documents/", {"version": "1.0", "title": "Consent", "text": "Body"}, format="json"
    )
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    assert alpha_client.get("/api/v1/consent/").status_code == 404  # drafts are never shown to participants
    published = manager.post("/api/v1/consent/documents/1.0/publish/", format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert alpha_client.get("/api/v1/consent/").json()["sha256"] == published.json()["sha256"]
    again = manager.post("/api/v1/consent/documents/1.0/publish/", format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_a_draft"
    taken = manager.post("/api/v1/consent/documents/", {"version": "1.0", "title": "T", "text": "B"}, format="json")
    assert taken.status_code == 409
    listed = api_client_for(cast["viewer"], HOST).get("/api/v1/consent/documents/").json()
    assert [d["version"] for d in listed] == ["1.0"]


def test_settings_are_validated(alpha, cast):
    manager = api_client_for(cast["manager"], HOST)
    bad = manager.patch("/api/v1/consent/settings/", {"completion_url": "javascript:alert(1)"}, format="json")
    assert bad.status_code == 400 and "completion_url" in bad.json()["error"]["details"]
    good = manager.patch(
        "/api/v1/consent/settings/",
        {
            "completion_url": "https://app.prolific.com/submissions/complete?cc=C1ABC",
            "external_id_params": ["PROLIFIC_PID"],
        },
        format="json",
    )
    assert good.status_code == 200 and good.json()["external_id_params"] == ["PROLIFIC_PID"]


def test_the_completion_url_is_exposed_for_the_game(alpha, alpha_client):
    code = enrol(alpha_client, publish(alpha)).json()["participant_code"]
    with tenant_context(alpha):
        participant = Participant.objects.get(participant_code=code)
        assert completion_url(participant=participant) is None
        settings_row = consent_settings_get()
        settings_row.completion_url = "https://panel.example/done?cc=XYZ&pc={participant_code}"
        settings_row.save()
        assert completion_url(participant=participant) == f"https://panel.example/done?cc=XYZ&pc={code}"
        settings_row.completion_url = "javascript:alert(1)"  # stored by other means: still never returned
        settings_row.save()
        assert completion_url(participant=participant) is None


def _logged_in(user, alpha) -> Client:
    client = Client(HTTP_HOST=alpha.domain_name)
    client.force_login(user)
    return client


def test_the_manager_page_drafts_publishes_and_saves_settings(alpha, cast):
    page = _logged_in(cast["manager"], alpha)
    assert page.get("/manage/consent/").status_code == 200
    created = page.post(
        "/manage/consent/",
        {"draft": "1", "version": "2.0", "title": "Consent", "language": "en", "body": "Second wording."},
    )
    assert created.status_code == 302
    html = page.get("/manage/consent/").content.decode()
    assert "Publish 2.0" in html and re.search(r"<td>2\.0</td><td>Consent</td><td>draft</td>", html)
    page.post("/manage/consent/", {"publish": "2.0"})
    with tenant_context(alpha):
        assert consent_document_current().version == "2.0"
    page.post(
        "/manage/consent/",
        {
            "save_settings": "1",
            "external_id_params": "pid, workerId",
            "require_reconsent": "on",
            "token_lifetime_hours": "12",
            "completion_url": "",
        },
    )
    with tenant_context(alpha):
        saved = consent_settings_get()
        assert (saved.external_id_params, saved.require_reconsent, saved.token_lifetime_hours) == (
            ["pid", "workerId"],
            True,
            12,
        )


def test_the_manager_page_is_refused_to_others(alpha, cast):
    assert _logged_in(cast["analyst"], alpha).get("/manage/consent/").status_code == 403
    assert _logged_in(cast["outsider"], alpha).get("/manage/consent/").status_code == 404
    assert Client(HTTP_HOST=alpha.domain_name).get("/manage/consent/").status_code == 302  # to the login page
    with tenant_context(alpha):
        assert not ConsentDocument.objects.exists()
