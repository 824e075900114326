"""The participant list names a duplicate enrolment (#18 finding 1), seen in Chromium at 390 and 1280 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

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
from tests.committed import dedicated_study
from tests.live import live_app_server  # noqa: F401  (the module-scoped live server)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME, PASSWORD = "dup_viewer", "pw-dup-viewer-123"


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[tuple[Any, list[str]]]:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from pseudonymization.services import participant_enrol
    from tenants.membership import membership_grant

    with django_db_blocker.unblock(), dedicated_study("dups", title="Duplicates") as study:
        with tenant_context(study):
            codes = [participant_enrol(external_id=pid).participant_code for pid in ("5f1a2b", "5F1A2B", "77aa")]
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        membership_grant(study=study, user=user, role="viewer")
        try:
            yield study, codes
        finally:
            user.delete()


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_list_says_which_participant_is_a_duplicate_of_which(
    browser,
    live_app_server,  # noqa: F811
    study,
    device,
    viewport,
):
    study, (first, duplicate, other) = study
    base = live_app_server.study_url(study.slug)
    context = new_context(browser, viewport)
    page = context.new_page()
    sign_in(page, base, "/dashboard/participants/", USERNAME, PASSWORD)
    row = page.locator("tr", has_text=duplicate)
    expect(row.get_by_text(f"duplicate of {first}")).to_be_visible()
    expect(page.locator("tr", has_text=other).get_by_text("duplicate of")).to_have_count(0)
    assert_accessible(page)
    assert_no_sideways_scroll(page)  # the wide table scrolls in its own box on a phone
    screenshot(page, f"dashboard-participants-duplicate-{device}", full_page=True)
    context.close()
