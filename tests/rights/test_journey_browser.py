"""The participant's journey in Debian's Chromium, at 360, 390 (touch) and 1280 px: landing and consent,
the code, the game's end, results, my data with its confirmations, withdrawal, deletion and the
certificate. Every page: nothing wider than the screen, axe-core without serious or critical findings,
and a screenshot at 390 and 1280 px. A real server on a committed study of this module's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.browser_support import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    chromium,
    new_context,
    screenshot,
    wait_until,
)
from tests.committed import dedicated_study
from tests.live import live_app_server  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VIEWPORTS = {"phone360": {"width": 360, "height": 780}, "phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from tests.consent.support import publish

    body = (
        "We study how people decide under risk with a short balloon game (about 5 minutes). "
        "Your answers are stored under a random code, never with your name. "
        "You may stop at any time without giving a reason."
    )
    config = {"balloons_per_color": 3, "currency": "USD"}
    with django_db_blocker.unblock(), dedicated_study("journey", title="Decisions under risk", game_config=config) as s:
        publish(s, body=body)
        yield s


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def check(page: Any, name: str, device: str) -> None:
    """What every participant page must hold, at every width; a screenshot at 390 and 1280 px."""
    assert_no_sideways_scroll(page)
    if device != "phone360":
        assert_accessible(page)
        screenshot(page, f"participant-{name}-{device}", full_page=True)


def execute_deletion(study: Any, django_db_blocker: Any, username: str) -> str:
    """The study team verifies and executes the request, committed on a thread (and connection) of its own."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth import get_user_model

    from rights.models import DeletionRequest
    from rights.services import deletion_request_execute, deletion_request_verify

    def run() -> str:
        try:
            with django_db_blocker.unblock():
                manager = get_user_model().objects.create_user(username=username, password="x" * 16)
                with tenant_context(study):
                    request = DeletionRequest.objects.filter(status="received").get()
                    request = deletion_request_verify(request=request, acting_user=manager)
                    return str(deletion_request_execute(request=request).pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_participant_goes_the_whole_way_and_every_page_says_where_they_stand(
    browser,
    live_app_server,  # noqa: F811
    study,
    device,
    django_db_blocker,
):
    context = new_context(browser, VIEWPORTS[device])
    page = context.new_page()
    base = live_app_server.study_url(study.slug)

    page.goto(f"{base}/")
    expect(page.get_by_role("button", name="I agree")).to_be_visible()
    check(page, "consent", device)
    page.get_by_role("button", name="I do not agree").click()
    page.wait_for_url(f"{base}/consent/declined/")
    check(page, "declined", device)
    page.goto(f"{base}/")
    page.locator("#id_agree").check()
    page.get_by_role("button", name="I agree").click()
    page.wait_for_url(f"{base}/play/")
    code = page.locator(".bg-code .bg-code-value").inner_text()
    assert code.startswith("P-")
    expect(page.get_by_text(f"Your code: {code}")).to_be_visible()  # shown right after consent
    wait_until(page, "() => !!(window.rpGame && window.rpGame.state() && window.rpGame.state().session_id)")

    # The study home now says where the participant stands (a game begun), with the code.
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="Continue the game")).to_be_visible()
    expect(page.get_by_text(code)).to_be_visible()
    check(page, "home-agreed", device)

    page.goto(f"{base}/play/")
    wait_until(page, "() => !!(window.rpGame && window.rpGame.state() && window.rpGame.state().balloons)")
    for index in range(3):
        wait_until(
            page,
            "i => document.getElementById('game').dataset.balloon === String(i)"
            " && !document.getElementById('bg-pump').disabled",
            index,
        )
        page.locator("#bg-collect").click()
    expect(page.get_by_text("Your answers are saved")).to_be_visible(timeout=20_000)

    page.goto(f"{base}/")
    expect(page.get_by_text("You have finished the study")).to_be_visible()
    expect(page.get_by_role("link", name="Continue the game")).to_have_count(0)
    check(page, "home-finished", device)

    page.get_by_role("link", name="See your results").first.click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.get_by_role("navigation", name="Your participation")).to_be_visible()
    check(page, "results", device)

    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data in Decisions under risk")).to_be_visible()
    expect(page.get_by_text(code).first).to_be_visible()
    check(page, "my-data", device)

    # Withdraw: asked first; going back changes nothing.
    page.get_by_role("button", name="Withdraw from the study…").click()
    expect(page.get_by_role("heading", name="Withdraw from the study?")).to_be_visible()
    check(page, "confirm-withdraw", device)
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_role("button", name="Withdraw from the study…")).to_be_visible()
    page.get_by_role("button", name="Withdraw from the study…").click()
    page.get_by_role("button", name="Yes, withdraw").click()
    expect(page.get_by_text("You withdrew your consent")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw from the study…")).to_have_count(0)
    page.goto(f"{base}/withdraw/")
    expect(page.get_by_role("heading", name="You have withdrawn from this study")).to_be_visible()
    check(page, "withdrawn", device)
    page.get_by_role("link", name="See, download or delete your data").click()

    # Deletion: asked first; once asked, no longer offered.
    page.get_by_role("button", name="Ask for all my data to be deleted…").click()
    expect(page.get_by_role("heading", name="Delete all your data?")).to_be_visible()
    page.get_by_role("button", name="Yes, delete my data").click()
    expect(page.get_by_text("We received your request to delete your data")).to_be_visible()
    expect(page.get_by_role("button", name="Ask for all my data to be deleted…")).to_have_count(0)
    check(page, "my-data-after", device)

    request_id = execute_deletion(study, django_db_blocker, f"journey-manager-{device}")
    page.goto(f"{base}/my-data/")
    expect(page.get_by_text("This browser no longer opens a participant's data")).to_be_visible()
    check(page, "after-erasure", device)
    page.goto(f"{base}/my-data/certificate/{request_id}/")
    expect(page.get_by_role("heading", name="Deletion certificate")).to_be_visible()
    expect(page.get_by_text("no data key to destroy")).to_be_visible()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    check(page, "certificate", device)
    context.close()
