"""The HTML consent flow on a study host: read, agree or decline, the cookie, re-consent, closed studies."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from consent.models import ConsentRecord, ConsentSettings
from pseudonymization.authentication import COOKIE_NAME
from pseudonymization.models import Participant
from pseudonymization.services import participant_external_id
from tests.consent.support import publish

PANEL_ID = "60f1c2d3e4f5a6b7c8d9e0f1"


@pytest.fixture
def browser(alpha) -> Client:
    return Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)


def _form_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', html):
        name = re.search(r'name="(\w+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        fields[name] = value.group(1) if value else ""
    return fields


def _agree(browser: Client, page_html: str, **extra: str):
    fields = _form_fields(page_html)
    return browser.post("/consent/", {**fields, "agree": "on", **extra})


def test_the_landing_page_shows_the_document_with_an_unticked_box(alpha, browser):
    document = publish(alpha, body="You may stop at any time.")
    for url in ("/", "/consent/"):
        html = browser.get(url).content.decode()
        assert "You may stop at any time." in html and f"Version {document.version}" in html
        checkbox = re.search(r'<input type="checkbox" name="agree"[^>]*>', html).group(0)
        assert "checked" not in checkbox
        assert '<label for="id_agree">' in html  # the box has a label: keyboard and screen readers
        assert 'name="viewport"' in html  # laid out for phones
        assert 'name="decline"' in html


def test_agreeing_creates_a_participant_sets_the_cookie_and_goes_to_play(alpha, browser):
    publish(alpha)
    response = _agree(browser, browser.get("/consent/").content.decode())
    assert response.status_code == 303 and response["Location"] == "/flow/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie.value.startswith("pt_")
    assert not cookie["secure"]  # test settings; production sets SESSION_COOKIE_SECURE
    with tenant_context(alpha):
        record = ConsentRecord.objects.get()
        assert record.method == "web" and record.participant.status == "active"


def test_the_cookie_is_secure_in_production_settings(alpha, browser, settings):
    settings.SESSION_COOKIE_SECURE = True
    publish(alpha)
    response = _agree(browser, browser.get("/consent/").content.decode())
    assert response.cookies[COOKIE_NAME]["secure"]


def test_posting_without_the_csrf_token_is_refused(alpha, browser):
    document = publish(alpha)
    response = browser.post(
        "/consent/", {"consent_version": document.version, "consent_sha256": document.sha256, "agree": "on"}
    )
    assert response.status_code == 403
    with tenant_context(alpha):
        assert not Participant.objects.exists()


def test_without_ticking_the_box_nothing_is_stored(alpha, browser):
    publish(alpha)
    fields = _form_fields(browser.get("/consent/").content.decode())
    response = browser.post("/consent/", fields)
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    with tenant_context(alpha):
        assert not Participant.objects.exists()


def test_declining_stores_nothing(alpha, browser):
    publish(alpha)
    html = browser.get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode()
    response = browser.post("/consent/", {**_form_fields(html), "decline": "1"})
    assert response.status_code == 303 and response["Location"] == "/consent/declined/"
    assert COOKIE_NAME not in response.cookies
    assert "Nothing about you was stored" in browser.get("/consent/declined/").content.decode()
    with tenant_context(alpha):
        assert not Participant.objects.exists() and not ConsentRecord.objects.exists()


def test_the_panel_id_travels_sealed_and_is_stored_encrypted(alpha, browser):
    publish(alpha)
    html = browser.get(f"/?PROLIFIC_PID={PANEL_ID}&SESSION_ID=x").content.decode()
    assert PANEL_ID not in html and PANEL_ID.lower() not in html.lower()
    assert _form_fields(html)["carry"]
    assert _agree(browser, html).status_code == 303
    with tenant_context(alpha):
        assert participant_external_id(participant=Participant.objects.get()) == PANEL_ID


def test_the_same_panel_id_in_its_own_browser_is_the_same_participant_elsewhere_a_duplicate(alpha, browser):
    publish(alpha)
    _agree(browser, browser.get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode())
    # The panel sends the person back: their browser holds their token, so it is them.
    again = browser.get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode()
    assert "Start the game" in again or "Continue the game" in again
    # The id alone, from another browser: a new participant marked as a duplicate, the first untouched.
    other_browser = Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    assert (
        _agree(other_browser, other_browser.get(f"/?PROLIFIC_PID={PANEL_ID.upper()}").content.decode()).status_code
        == 303
    )
    with tenant_context(alpha):
        first, second = Participant.objects.order_by("created_at", "id")
        assert second.duplicate_of_id == first.pk and first.duplicate_of_id is None
        assert (
            participant_external_id(participant=second) == PANEL_ID.upper()
            or participant_external_id(participant=second).lower() == PANEL_ID.lower()
        )


def test_the_parameters_are_configurable_per_study(alpha, browser):
    publish(alpha)
    with tenant_context(alpha):
        ConsentSettings.objects.create(external_id_params=["pid"])
    html = browser.get(f"/?pid={PANEL_ID}").content.decode()
    _agree(browser, html)
    with tenant_context(alpha):
        assert participant_external_id(participant=Participant.objects.get()) == PANEL_ID
    # A parameter the study did not configure is ignored: nothing is carried.
    assert (
        _form_fields(Client(HTTP_HOST=alpha.domain_name).get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode())["carry"]
        == ""
    )


def test_an_altered_carry_is_refused_without_storing(alpha, browser):
    publish(alpha)
    html = browser.get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode()
    fields = _form_fields(html)
    fields["carry"] = fields["carry"][:-4] + ("AAAA" if not fields["carry"].endswith("AAAA") else "BBBB")
    response = browser.post("/consent/", {**fields, "agree": "on"})
    assert response.status_code == 400
    with tenant_context(alpha):
        assert not Participant.objects.exists()


def test_a_malformed_panel_id_is_refused_without_echoing_it(alpha, browser):
    publish(alpha)
    response = browser.get("/?PROLIFIC_PID=" + "SECRETVALUE" * 20)
    assert response.status_code == 400
    assert "SECRETVALUE" not in response.content.decode()


def test_an_outdated_form_is_a_conflict_showing_the_new_version(alpha, browser):
    publish(alpha, version="1.0")
    html = browser.get("/consent/").content.decode()
    publish(alpha, version="2.0", body="New terms.")
    response = _agree(browser, html)
    assert response.status_code == 409
    assert "New terms." in response.content.decode() and "changed while you were reading" in response.content.decode()
    with tenant_context(alpha):
        assert not Participant.objects.exists()


def test_reconsent_keeps_the_participant_when_the_study_requires_it(alpha, browser):
    publish(alpha, version="1.0")
    _agree(browser, browser.get("/consent/").content.decode())
    assert "already agreed" in browser.get("/consent/").content.decode()
    with tenant_context(alpha):
        ConsentSettings.objects.create(require_reconsent=True)
    publish(alpha, version="2.0", body="New terms.")
    html = browser.get("/consent/").content.decode()
    assert "has a new version" in html and "New terms." in html
    assert _agree(browser, html).status_code == 303
    with tenant_context(alpha):
        assert Participant.objects.count() == 1
        assert sorted(ConsentRecord.objects.values_list("document__version", flat=True)) == ["1.0", "2.0"]


def test_a_study_that_is_not_recruiting_says_so(alpha, browser):
    document = publish(alpha)
    alpha.status = "closed"
    alpha.save(update_fields=["status"])
    response = browser.get("/consent/")
    assert "not taking new participants" in response.content.decode()
    assert 'name="agree"' not in response.content.decode()
    browser.get("/healthz")  # any GET sets nothing; POSTing anyway is refused
    posted = Client(HTTP_HOST=alpha.domain_name).post(
        "/consent/", {"consent_version": document.version, "consent_sha256": document.sha256, "agree": "on"}
    )
    assert "not taking new participants" in posted.content.decode()
    with tenant_context(alpha):
        assert not Participant.objects.exists()


def test_without_a_published_document_the_page_says_the_study_is_not_open(browser):
    response = browser.get("/")
    assert response.status_code == 200 and "not open yet" in response.content.decode()


def test_a_duplicate_enrolment_is_recognised_in_its_own_browser_again(alpha):
    """Review of #18 finding 1: a duplicate holds no blind index; its own browser must still be it."""
    publish(alpha)
    first = Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    _agree(first, first.get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode())
    second = Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    _agree(second, second.get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode())
    publish(alpha, version="2.0")  # a new version that must be agreed to: back through the panel link
    with tenant_context(alpha):
        from consent.services import consent_settings_update

        consent_settings_update(acting_user=None, require_reconsent=True)
    page = second.get(f"/?PROLIFIC_PID={PANEL_ID}").content.decode()
    assert _agree(second, page).status_code == 303
    with tenant_context(alpha):
        assert Participant.objects.count() == 2  # the duplicate re-consented as itself, nobody new
