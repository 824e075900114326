"""The 403 and 404 pages in Debian's Chromium at desktop and phone widths: readable, accessible, no sideways scroll.

The server runs in another process (tests/live.py), so the study and the compliance officer are
committed (the `live` study, shared with the other browser tests; the user is created once).
Screenshots: var/screenshots/errors-*.png (docs/screenshots/ with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import live
from tests.browser_support import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    chromium,
    new_context,
    screenshot,
    sign_in,
)
from tests.live import LiveServer, ensure_live_study

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME, PASSWORD = "err_compliance", "pw-err-compliance-123"
VIEWPORTS = {"1280": DESKTOP, "390": PHONE}
live_app_server = live.live_app_server  # the session fixture: a real server on the test database


@pytest.fixture(scope="module")
def compliance_officer(django_db_setup, django_db_blocker) -> Any:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from tenants.membership import membership_grant

    with django_db_blocker.unblock():
        study = ensure_live_study()
        if not get_user_model().objects.filter(username=USERNAME).exists():
            user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
            membership_grant(study=study, user=user, role="compliance")
    return study


@pytest.fixture(scope="module")
def browser() -> Any:
    with chromium() as browser:
        yield browser


def _check(page: Any, name: str) -> None:
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, name, full_page=True)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_compliance_officer_refused_the_dashboard_sees_why_and_the_way_to_the_console(
    browser,
    live_app_server: LiveServer,
    compliance_officer,
    width,
):
    context = new_context(browser, VIEWPORTS[width])
    try:
        page = context.new_page()
        base = live_app_server.study_url(compliance_officer.slug)
        sign_in(page, base, "/dashboard/", USERNAME, PASSWORD)  # the refusal is served at /dashboard/
        expect(page.get_by_role("heading", level=1)).to_have_text("Your role on this study does not open this page")
        expect(page.get_by_text("your role is Compliance officer")).to_be_visible()
        console = page.get_by_role("navigation", name="Where to go next").get_by_role("link", name="Compliance console")
        expect(console).to_be_visible()
        expect(console).to_have_attribute("href", f"{live_app_server.url()}/compliance/")
        expect(page.get_by_role("link", name="My studies")).to_be_visible()
        _check(page, f"errors-403-{width}")
    finally:
        context.close()


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_participant_following_a_broken_link_sees_a_plain_404(
    browser,
    live_app_server: LiveServer,
    compliance_officer,
    width,
):
    context = new_context(browser, VIEWPORTS[width])
    try:
        page = context.new_page()
        response = page.goto(f"{live_app_server.study_url(compliance_officer.slug)}/consent/typo-in-the-link/")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("We could not find this page")
        expect(page.get_by_text("Check the link you were given")).to_be_visible()
        _check(page, f"errors-404-{width}")
    finally:
        context.close()
