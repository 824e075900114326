"""Every study page a manager opens, in Debian's Chromium at 1280 and 390 px: the dashboard, the
participants list and a participant, settings, members, deletion requests, the API docs on the study
and platform hosts, and a refused sign-in link. Each: axe-core without serious or critical findings,
no sideways scroll, no console error, the page's heading visible; screenshots (UPDATE_SCREENSHOTS=1:
docs/). The pages the journeys reach (consent, set-up, previews, exports, the console) are checked
in their own tests.
"""

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
    watch_console,
)
from tests.committed import dedicated_study
from tests.live import live_app_server  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME, PASSWORD = "pages-manager", "pw-pages-manager-123"
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
# path -> (heading, screenshot name or None)
STUDY_PAGES = {
    "/dashboard/": ("Dashboard", None),
    "/dashboard/participants/": ("Participants", "participants"),
    "/manage/": ("Settings", "study-settings"),
    "/manage/members/": ("Members", "study-members"),
    "/manage/deletion-requests/": ("Deletion requests", "deletion-requests"),
}


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[tuple[Any, str]]:  # type: ignore[no-untyped-def]
    """A committed study: 3 simulated participants, one of whom asked for deletion; a manager."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from rights.services import deletion_request_file
    from tenants.membership import membership_grant
    from tests.dashboard.support import simulated_participants

    with django_db_blocker.unblock(), dedicated_study("pages", title="Pages") as study:
        with tenant_context(study):
            sessions = simulated_participants(3, seed="pages")
            with transaction.atomic():
                deletion_request_file(participant=sessions[0].participant, source="participant")
            code = sessions[1].participant.participant_code
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        membership_grant(study=study, user=user, role="manager")
        try:
            yield study, code
        finally:
            user.delete()


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


def _check(page: Any, heading: str, shot: str | None, device: str, problems: list[str]) -> None:
    expect(page.get_by_role("heading", name=heading, level=1).first).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert not problems, problems
    if shot:
        screenshot(page, f"{shot}-{DEVICES[device]['width']}", full_page=True)


@pytest.mark.parametrize("device", list(DEVICES))
def test_every_study_page_a_manager_opens_is_readable_and_accessible(
    browser,
    live_app_server,  # noqa: F811
    study,
    device,
):
    the_study, code = study
    page = new_context(browser, DEVICES[device]).new_page()
    problems = watch_console(page)
    base = live_app_server.study_url(the_study.slug)
    sign_in(page, base, "/dashboard/", USERNAME, PASSWORD, ask_for_path=False)  # a manager lands on the dashboard
    for path, (heading, shot) in STUDY_PAGES.items():
        page.goto(f"{base}{path}")
        _check(page, heading, shot, device, problems)
    expect(page.get_by_text("received").first).to_be_visible()  # the filed deletion request is listed

    page.goto(f"{base}/dashboard/participants/{code}/")
    _check(page, code, None, device, problems)

    # A sign-in link that is not valid (expired, used, forged) says so, with a way on.
    page.goto(f"{base}/accounts/handoff/?t=forged")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.context.close()


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("host", ["platform", "study"])
def test_the_api_docs_render_for_each_host(
    browser,
    live_app_server,  # noqa: F811
    study,
    device,
    host,
):
    the_study, _ = study
    base = live_app_server.url() if host == "platform" else live_app_server.study_url(the_study.slug)
    page = new_context(browser, DEVICES[device]).new_page()
    problems = watch_console(page)
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .opblock-tag").first).to_be_visible(timeout=15_000)
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert not problems, problems
    if device == "desktop":
        screenshot(page, f"api-docs-{host}-1280")
    page.context.close()
