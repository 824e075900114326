"""The compliance console in Debian's Chromium, as the demo compliance officer uses it: sign in on the
platform host, find what the demo researcher did by username and date pickers, see their own searches
only when they ask, at 1280 and 390 px (axe-core, no sideways scroll, the table inside its box); the
chains page and an entry page too. Screenshots go to var/screenshots (UPDATE_SCREENSHOTS=1: docs/).

The demo data are committed through the real seed (tenants/seed.py, without its simulated games)
since the server is another process (tests/live.py); the seed's credentials note goes to a
temporary directory, not var/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser_support import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    chromium,
    new_context,
    screenshot,
    seed_demo,
    sign_in,
)
from tests.live import live_app_server  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

OFFICER, PASSWORD = "compliance", "pw-demo-compliance-123"
RESEARCHER = "researcher"
NEW_TITLE = "Demo study: risk taking with balloons"
DEVICES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Any:  # type: ignore[no-untyped-def]
    """The seeded demo study, its compliance officer with a known password, and one auditable act
    of the demo researcher (a new title for the study)."""
    from django.contrib.auth import get_user_model

    from audit.context import audit_actor
    from tenants.services import study_update

    study = seed_demo(django_db_blocker, tmp_path_factory.mktemp("seed"), {OFFICER: PASSWORD})
    with django_db_blocker.unblock(), audit_actor(get_user_model().objects.get(username=RESEARCHER)):
        study_update(study=study, title=NEW_TITLE)
    return study


@pytest.fixture(scope="module")
def browser(demo) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


def officer_page(browser: Any, server: Any, viewport: dict[str, int]) -> Any:
    page = new_context(browser, viewport).new_page()
    sign_in(page, server.url(), "/compliance/", OFFICER, PASSWORD)
    return page


def check_layout(page: Any) -> None:
    """axe-core clean, no sideways page scroll, and every table's right edge inside its box."""
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    edges = page.evaluate(
        """() => [...document.querySelectorAll('main table')].map(t => {
            const box = (t.closest('.au-scroll') || t.parentElement).getBoundingClientRect();
            return [t.getBoundingClientRect().right, box.right, window.innerWidth];
        })"""
    )
    assert edges, "no table on the page"
    for table_right, box_right, viewport in edges:
        assert table_right <= box_right + 1 and box_right <= viewport, edges


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_officer_finds_what_the_researcher_did_by_username_and_dates(
    browser,
    live_app_server,  # noqa: F811
    demo,
    device,
):
    page = officer_page(browser, live_app_server, DEVICES[device])
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    nav = page.get_by_role("navigation", name="Compliance console")
    for name in ("Console", "Chains", "Export CSV"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()

    today = timezone.localdate()
    page.get_by_label("Actor", exact=True).fill("Researcher")  # a username, in any case
    page.get_by_label("From", exact=True).fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/compliance/?*")
    assert page.get_by_label("From", exact=True).get_attribute("type") == "date"
    row = page.locator("tbody tr", has_text="tenants.study.update")
    expect(row.first).to_be_visible()
    expect(row.first.locator("td", has_text=RESEARCHER).first).to_be_visible()
    expect(page.get_by_label("Actor", exact=True)).to_have_value("Researcher")  # the form keeps what was typed
    check_layout(page)
    screenshot(page, f"compliance-console-{DEVICES[device]['width']}", full_page=True)

    # A day before the researcher acted finds nothing.
    page.get_by_label("From", exact=True).fill((today - timedelta(days=3)).isoformat())
    page.get_by_label("To", exact=True).fill((today - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No entries match.")).to_be_visible()

    # The officer's own searches (each one recorded) stay out until the box is ticked.
    page.get_by_label("Actor", exact=True).fill(OFFICER)
    page.get_by_label("From", exact=True).fill("")
    page.get_by_label("To", exact=True).fill("")
    page.get_by_label("Action", exact=True).fill("audit_query")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No entries match.")).to_be_visible()
    page.get_by_label("Include my own searches").check()
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr", has_text="audit_query").first).to_be_visible()
    expect(page.get_by_label("Include my own searches")).to_be_checked()
    check_layout(page)

    # An entry, from its link in the results.
    page.locator("tbody tr a").first.click()
    page.wait_for_url("**/compliance/entries/**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("audit_query")
    check_layout(page)
    if device == "desktop":
        page.goto(f"{live_app_server.url()}/compliance/?actor={RESEARCHER}")
        page.locator("tbody tr", has_text="tenants.study.update").locator("a").first.click()
        page.wait_for_url("**/compliance/entries/**")
        expect(page.get_by_text(NEW_TITLE).first).to_be_visible()
        check_layout(page)
        screenshot(page, "compliance-entry-1280", full_page=True)

    page.get_by_role("navigation", name="Compliance console").get_by_role("link", name="Chains").click()
    page.wait_for_url("**/compliance/chains/")
    expect(page.locator("tbody tr", has_text="demo").first).to_be_visible()
    check_layout(page)
    if device == "phone":
        screenshot(page, "compliance-chains-390", full_page=True)

    # An unreadable date (an old link, a typo) stays as typed, with its error beside it.
    page.goto(f"{live_app_server.url()}/compliance/?since=last+tuesday&actor=researcher")
    expect(page.get_by_label("From", exact=True)).to_have_value("last tuesday")
    expect(page.locator("#e-since")).to_be_visible()
    expect(page.get_by_label("Actor", exact=True)).to_have_value("researcher")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.context.close()
