"""Repeated sessions on another device: code + secret on /my-data/, then "Continue the study" in that browser."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from consent.services import consent_withdraw
from flows.models import StepCompletion
from tests.conftest import enrolled
from tests.flows.support import page, publish_flow
from tests.rights.support import browser_client
from tests.rights.test_my_data import _issue_secret


def test_a_participant_continues_the_study_on_another_device_with_code_and_secret(alpha, alpha_client):
    publish_flow(alpha, {"steps": [page("first"), page("second", "The second page.")]})
    person = enrolled(alpha, alpha_client)
    first_device = browser_client(alpha, person.token)
    assert first_device.get("/flow/")["Location"] == "/flow/page/"
    first_device.post("/flow/page/")
    secret = _issue_secret(alpha, person.token)

    device = browser_client(alpha)
    assert device.get("/flow/")["Location"].startswith("/consent/")  # a stranger to the study, so far
    device.post("/my-data/", {"participant_code": person.code, "secret": secret})
    page_html = device.get("/my-data/").content.decode()
    assert "Continue the study" in page_html
    moved = device.post("/my-data/", {"action": "continue"})
    assert moved.status_code == 303 and moved["Location"] == "/flow/"
    assert device.get("/flow/")["Location"] == "/flow/page/"
    assert "The second page." in device.get("/flow/page/").content.decode()  # where they left it
    device.post("/flow/page/")
    with tenant_context(alpha):
        assert set(StepCompletion.objects.values_list("step_key", flat=True)) == {"first", "second"}
    assert "You have finished the study" in first_device.get("/flow/").content.decode()  # one participant


def test_a_withdrawn_participant_cannot_continue(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    secret = _issue_secret(alpha, person.token)
    with tenant_context(alpha):
        consent_withdraw(participant=person.participant)
    device = browser_client(alpha)
    device.post("/my-data/", {"participant_code": person.code, "secret": secret})
    assert "Continue the study" not in device.get("/my-data/").content.decode()
    assert device.post("/my-data/", {"action": "continue"}).status_code == 409
