"""The right of access: GET /api/v1/me/data/ and the /my-data/ page (cookie, or code + secret)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from audit.models import AuditEntry
from pseudonymization.models import Participant
from rights.models import AccessSecret, DeletionRequest
from tests.conftest import enrolled
from tests.rights.support import browser_client as _browser


def test_the_api_returns_everything_and_the_identifier_only_to_its_owner_audited(alpha, alpha_client):
    person = enrolled(alpha, alpha_client, external_id="PANEL-4711")
    response = alpha_client.get("/api/v1/me/data/", **person.auth)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["participant"]["participant_code"] == person.code
    assert data["participant"]["external_id"] == "PANEL-4711"
    assert [c["document_version"] for c in data["consent"]] == ["1.0"]
    assert {"sessions", "metrics", "model_fits", "trait_profiles", "deletion_requests"} <= set(data)
    assert "external_id_ciphertext" not in str(data) and "token_hash" not in str(data)
    with tenant_context(alpha):
        entry = AuditEntry.objects.get(event="identifier_read")
        assert entry.actor_label == f"participant:{person.code}" and "PANEL" not in str(entry.additional_data)


def test_another_participant_never_sees_my_data(alpha, alpha_client, other_participant):
    me, other = enrolled(alpha, alpha_client, external_id="PANEL-1"), other_participant
    data = alpha_client.get("/api/v1/me/data/", **other.auth).json()
    assert data["participant"]["participant_code"] == other.code and me.code not in str(data)
    assert alpha_client.get("/api/v1/me/data/").status_code == 401


def test_after_withdrawal_the_data_can_still_be_read_and_deletion_requested(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    alpha_client.post("/api/v1/me/withdraw/", **person.auth)
    assert alpha_client.get("/api/v1/me/data/", **person.auth).json()["participant"]["status"] == "withdrawn"
    assert alpha_client.post("/api/v1/me/deletion-request/", **person.auth).status_code == 202


def test_the_page_works_from_the_browser_that_took_part(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    browser = _browser(alpha, person.token)
    page = browser.get("/my-data/")
    assert page.status_code == 200 and person.code in page.content.decode()
    download = browser.get("/my-data/download/")
    assert download["Content-Disposition"].startswith("attachment") and download.json()["participant"]["status"]
    assert _browser(alpha).get("/my-data/").content.decode().count('name="secret"') == 1  # a stranger signs in


def _issue_secret(study, token: str) -> str:
    html = _browser(study, token).post("/my-data/", {"action": "secret"}).content.decode()
    return re.search(r"<code>([A-Z0-9-]{23})</code>", html).group(1)


def test_code_and_secret_open_the_page_on_another_device(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    secret = _issue_secret(alpha, person.token)
    with tenant_context(alpha):
        verifier = AccessSecret.objects.get().verifier
        assert secret not in verifier and verifier.startswith(("pbkdf2", "md5"))
    device = _browser(alpha)
    assert (
        device.post("/my-data/", {"participant_code": person.code, "secret": "WRONG-WRONG-WRONG-WRONG"}).status_code
        == 400
    )
    response = device.post("/my-data/", {"participant_code": person.code.lower(), "secret": secret.lower()})
    assert response.status_code == 303
    assert person.code in device.get("/my-data/").content.decode()
    device.post("/my-data/", {"action": "delete", "confirm": "yes"})
    with tenant_context(alpha):
        assert DeletionRequest.objects.get().participant_id == person.participant.pk
    device.post("/my-data/", {"action": "sign_out"})
    assert person.code not in device.get("/my-data/").content.decode()


def test_a_sign_in_on_one_study_does_not_open_another(alpha, beta, alpha_client):
    person = enrolled(alpha, alpha_client)
    secret = _issue_secret(alpha, person.token)
    device = Client(HTTP_HOST=alpha.domain_name)
    device.post("/my-data/", {"participant_code": person.code, "secret": secret})
    device.defaults["HTTP_HOST"] = beta.domain_name
    assert person.code not in device.get("/my-data/").content.decode()


def test_guessing_secrets_is_rate_limited_per_code(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    _issue_secret(alpha, person.token)
    device = _browser(alpha)
    statuses = [
        device.post("/my-data/", {"participant_code": person.code, "secret": f"GUESS-{i:05d}"}).status_code
        for i in range(6)
    ]
    assert statuses == [400] * 5 + [429]


def test_the_page_needs_a_csrf_token_to_act(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    browser = _browser(alpha, person.token, enforce_csrf_checks=True)
    assert browser.post("/my-data/", {"action": "withdraw"}).status_code == 403
    html = browser.get("/my-data/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert (
        browser.post("/my-data/", {"action": "withdraw", "confirm": "yes", "csrfmiddlewaretoken": csrf}).status_code
        == 303
    )
    with tenant_context(alpha):
        assert Participant.objects.get(pk=person.participant.pk).status == "withdrawn"


def test_no_code_or_secret_reaches_the_logs(alpha, alpha_client, caplog):
    person = enrolled(alpha, alpha_client)
    caplog.set_level("DEBUG")
    secret = _issue_secret(alpha, person.token)
    _browser(alpha).post("/my-data/", {"participant_code": person.code, "secret": "BAD"})
    _browser(alpha).post("/my-data/", {"participant_code": person.code, "secret": secret})
    assert person.code not in caplog.text and secret not in caplog.text


@pytest.mark.parametrize("path", ["/my-data/", "/my-data/download/"])
def test_an_erased_participants_cookie_opens_nothing(alpha, alpha_client, path):
    person = enrolled(alpha, alpha_client)
    with tenant_context(alpha):
        Participant.objects.filter(pk=person.participant.pk).update(status="erased")
    response = _browser(alpha, person.token).get(path)
    assert person.code not in response.content.decode()
