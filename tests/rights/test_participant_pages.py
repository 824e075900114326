"""The participant's pages say where things stand, in plain words: irreversible actions are confirmed,
actions that no longer apply are gone, the certificate is a page whose statements match its facts."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from pseudonymization.models import Participant
from rights.models import DeletionRequest
from rights.services import deletion_request_execute, deletion_request_file, deletion_request_verify
from tests.conftest import enrolled
from tests.rights.support import browser_client as _browser
from tests.rights.support import play


def test_withdrawing_on_the_data_page_asks_first_and_does_nothing_until_confirmed(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    browser = _browser(alpha, person.token)
    asked = browser.post("/my-data/", {"action": "withdraw"})
    html = asked.content.decode()
    assert asked.status_code == 200 and "Withdraw from the study?" in html and "cannot be undone" in html
    assert 'name="confirm" value="yes"' in html
    with tenant_context(alpha):
        assert Participant.objects.get(pk=person.participant.pk).status == "active"
    assert browser.post("/my-data/", {"action": "withdraw", "confirm": "yes"}).status_code == 303
    with tenant_context(alpha):
        assert Participant.objects.get(pk=person.participant.pk).status == "withdrawn"
    page = browser.get("/my-data/").content.decode()
    assert "Withdraw from the study…" not in page  # no longer offered
    assert "You withdrew" in page


def test_asking_for_deletion_is_confirmed_and_then_no_longer_offered(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    browser = _browser(alpha, person.token)
    assert "Delete all your data?" in browser.post("/my-data/", {"action": "delete"}).content.decode()
    with tenant_context(alpha):
        assert not DeletionRequest.objects.filter(participant=person.participant).exists()
    assert browser.post("/my-data/", {"action": "delete", "confirm": "yes"}).status_code == 303
    page = browser.get("/my-data/?done=deletion").content.decode()
    assert "Ask for all my data to be deleted" not in page
    assert "is being handled" in page and "waiting for the study team" in page


def test_the_data_page_uses_plain_words_and_human_dates(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    play(alpha_client, person, seed=3, balloons=2)
    page = _browser(alpha, person.token).get("/my-data/").content.decode()
    assert "fit(s)" not in page and "metric set(s)" not in page
    assert "You agreed to version 1.0 on " in page
    assert "T" not in page.split("You agreed to version 1.0 on ")[1].split(".")[0]  # no raw ISO timestamp
    assert "Started " in page


def test_the_sign_in_error_is_shown_once(alpha):
    page = _browser(alpha).post("/my-data/", {"participant_code": "P-AAAA-AAAA", "secret": "X" * 20})
    assert page.content.decode().count("That code and secret do not match.") == 1


@pytest.mark.parametrize("external_id", [None, "PANEL-77"])
def test_the_certificate_page_states_what_happened_and_nothing_else(alpha, alpha_client, cast, external_id):
    person = enrolled(alpha, alpha_client, external_id=external_id)
    with tenant_context(alpha):
        request, _ = deletion_request_file(participant=person.participant, source="manager")
        request = deletion_request_execute(
            request=deletion_request_verify(request=request, acting_user=cast["manager"])
        )
    page = _browser(alpha).get(f"/my-data/certificate/{request.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Deletion certificate" in html and request.certificate_sha256 in html
    shredded = request.certificate["identifier_key_shredded"]
    assert shredded is (external_id is not None)
    assert ("data key was destroyed" in html) is shredded
    assert ("no data key to destroy" in html) is not shredded
    assert f'href="/api/v1/deletion-certificates/{request.pk}/"' in html
    # The browser that took part is told why its page is gone.
    gone = _browser(alpha, person.token).get("/my-data/").content.decode()
    assert "no longer opens a participant" in gone


def test_a_certificate_page_for_an_unknown_request_is_a_404(alpha):
    assert _browser(alpha).get("/my-data/certificate/7d3f2b4e-0a4c-4a57-9f5a-2f1d0b7c9e11/").status_code == 404


def test_a_returning_participant_is_told_where_they_stand(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    browser = _browser(alpha, person.token)
    assert "Start the game" in browser.get("/").content.decode()
    play(alpha_client, person, seed=5, balloons=2)
    home = browser.get("/").content.decode()
    assert "You have finished the study" in home and "Continue to the game" not in home
    assert person.code in home and 'href="/results/"' in home and 'href="/my-data/"' in home
