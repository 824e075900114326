"""In Debian's Chromium at 390 and 1280 px: the dashboard's design, reliability and validity panels are
visible with their numbers, accessible (axe) and never scroll the page sideways; so is a participant's
design and questionnaire section. Screenshots: var/screenshots/, docs/screenshots/ with UPDATE_SCREENSHOTS=1.

The rows are committed in a study of their own (`panels-e2e`, tests/dashboard/design_support.py),
since the server runs in another process (tests/live.py).
"""

from __future__ import annotations

import pytest

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
from tests.live import ensure_live_study, start_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SLUG = "panels-e2e"
USERNAME, PASSWORD = "e2e_panels_viewer", "pw-e2e-panels-123"
PARTICIPANTS, PILOTS = 8, 1


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The committed study (8 participants over two sessions, one of them with session 1 only, and a
    pilot), a viewer, the live server, and the expected numbers computed in this process."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from dashboard import design_selectors
    from flows.models import ParticipantFlow
    from pseudonymization.models import Participant
    from pseudonymization.services import participant_enrol
    from tenants.membership import membership_grant
    from tests.dashboard import design_support

    with django_db_blocker.unblock():
        study = ensure_live_study(SLUG)
        with tenant_context(study):
            if not ParticipantFlow.objects.exists():
                people = [participant_enrol() for _ in range(PARTICIPANTS + PILOTS)]
                design_support.build(people, one_session=2)
                Participant.objects.filter(pk__in=[p.pk for p in people[PARTICIPANTS:]]).update(pilot=True)
            expected = {
                "reliability": design_selectors.reliability_summary(),
                "validity": design_selectors.validity_summary(),
                "code": ParticipantFlow.objects.filter(participant__pilot=False)
                .order_by("id")
                .values_list("participant__participant_code", flat=True)
                .first(),
            }
        user = get_user_model().objects.filter(username=USERNAME).first()
        if user is None:
            user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
            membership_grant(study=study, user=user, role="viewer")
        server = start_live_server()
    yield server, expected
    with django_db_blocker.unblock():
        server.stop()


@pytest.fixture(scope="module")
def browser(served):  # type: ignore[no-untyped-def]
    with chromium(close_connections=False) as browser:
        yield browser


def _row_text(page, panel: str, label: str) -> str:
    row = page.locator(f"{panel} tbody tr", has_text=label).first
    assert row.is_visible(), f"{label} row of {panel} is not visible"
    return row.inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_panels_are_visible_with_their_numbers(served, browser, viewport):  # type: ignore[no-untyped-def]
    server, expected = served
    context = new_context(browser, viewport)
    page = context.new_page()
    base = server.study_url(SLUG)
    sign_in(page, base, "/dashboard/", USERNAME, PASSWORD)
    width = viewport["width"]

    design = page.locator("#design-panel")
    design.scroll_into_view_if_needed()
    assert design.is_visible()
    assert f"{PARTICIPANTS} participants assigned (pilots left out)" in design.inner_text()
    assert "Low reward" in _row_text(page, "#design-panel", "Low reward")
    assert "4" in _row_text(page, "#design-panel", "High reward")
    screenshot(page, f"dashboard-design-panel-{width}")

    icc = next(r for r in expected["reliability"]["rows"] if r["key"] == "adjusted_pumps")
    assert icc["n"] == PARTICIPANTS - 1 and icc["icc"] is not None
    reliability = page.locator("#reliability-panel")
    reliability.scroll_into_view_if_needed()
    text = _row_text(page, "#reliability-panel", "Adjusted average pumps")
    assert f"{icc['icc']:.2f}" in text and f"{icc['lower']:.2f} to {icc['upper']:.2f}" in text, text
    assert str(icc["n"]) in text and "Koo & Li 2016" in text
    assert f"Statistics version {expected['reliability']['version']}" in reliability.inner_text()
    screenshot(page, f"dashboard-reliability-panel-{width}")

    r = next(r for r in expected["validity"]["rows"] if r["trait"] == "risk_tolerance")
    validity = page.locator("#validity-panel")
    validity.scroll_into_view_if_needed()
    text = _row_text(page, "#validity-panel", "Risk tolerance")
    assert f"{r['r']:.2f}" in text and f"{r['lower']:.2f} to {r['upper']:.2f}" in text, text
    assert "Cautiousness" in text and "Cohen 1988" in text
    assert f"Statistics version {expected['validity']['version']}" in validity.inner_text()
    screenshot(page, f"dashboard-validity-panel-{width}")

    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(f"{base}/dashboard/participants/{expected['code']}/")
    section = page.locator("#participant-design")
    assert section.is_visible() and "Low reward" in section.inner_text() and "2 of 2" in section.inner_text()
    scores = page.locator("#participant-questionnaires")
    scores.scroll_into_view_if_needed()
    assert scores.is_visible() and "Cautiousness" in scores.inner_text() and "10 of 10" in scores.inner_text()
    screenshot(page, f"participant-design-{width}")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    context.close()
