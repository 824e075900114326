"""The real game page (/play/) behind the consent gate: before any consent and after withdrawal the
browser is sent to /consent/; with a live consent the page is served."""

from __future__ import annotations

import re

from django.test import Client

from tests.consent.support import publish


def test_play_sends_you_to_consent_before_agreeing_and_after_withdrawing(alpha):
    publish(alpha)
    browser = Client(HTTP_HOST=alpha.domain_name)
    refused = browser.get("/play/")
    assert refused.status_code == 302 and refused["Location"] == "/consent/"

    html = browser.get("/consent/").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    agreed = browser.post("/consent/", {**fields, "agree": "on"})
    assert agreed.status_code == 303 and agreed["Location"] == "/flow/"
    assert browser.get("/play/").status_code == 200

    assert browser.post("/withdraw/", {"reason": ""}).status_code == 200
    after = browser.get("/play/")
    assert after.status_code == 302 and after["Location"] == "/consent/"
    assert "You have withdrawn" in browser.get(after["Location"]).content.decode()
