"""The server-confirmed game in Debian's Chromium: no explosion point in the page, pops still seen.

#18 finding 5b. In a study with pump_confirmation "server" the page never holds the schedule;
each pump waits for the server's answer. Asserted on what is visible: the balloon pops at the
server's point and not before, the game plays to the end screen, and the stored session is clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_support import DESKTOP, PHONE, chromium, new_context, screenshot, wait_until
from tests.committed import dedicated_study
from tests.games.test_play_browser import consent_token, stored_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CONFIG = {
    "pump_confirmation": "server",
    "balloons_per_color": 3,
    "colors": [{"color": "orange", "max_pumps": 8}],
    "block_size": 3,
}


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from tests.consent.support import publish

    with django_db_blocker.unblock(), dedicated_study("confirmed", title="Balloons", game_config=CONFIG) as study:
        publish(study, body="You may stop at any time.")
        yield study


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def ready(page: Any, index: int) -> None:
    wait_until(
        page,
        "i => document.getElementById('game').dataset.balloon === String(i)"
        " && !document.getElementById('bg-pump').disabled",
        index,
    )


def open_game(browser: Any, server: Any, study: Any, viewport: dict[str, int]) -> tuple[str, Any, Any]:
    """A consenting participant's page on /play/, once the game has its balloons."""
    token = consent_token(server, study.slug)
    base = server.study_url(study.slug)
    context = new_context(browser, viewport)
    context.add_cookies([{"name": "participant_token", "value": token, "url": base, "httpOnly": True}])
    page = context.new_page()
    page.goto(f"{base}/play/")
    wait_until(page, "() => !!(window.rpGame && window.rpGame.state() && window.rpGame.state().balloons)")
    return token, context, page


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_page_holds_no_explosion_point_and_still_pops_at_the_servers(
    browser, live_app_server, study, django_db_blocker, device, viewport
):
    _, context, page = open_game(browser, live_app_server, study, viewport)
    assert page.evaluate("window.rpGame.state().balloons.map(b => b.explosion_point)") == [None, None, None]
    session, _ = stored_session(django_db_blocker, study)
    points = [b["explosion_point"] for b in session.schedule]
    pop = page.locator("#bg-pop")
    # Balloon 1: pumped until the server says it bursts.
    ready(page, 0)
    for n in range(1, points[0] + 1):
        expect(pop).to_be_hidden()
        page.locator("#bg-pump").click()
        if n < points[0]:
            ready(page, 0)  # the server answered "intact": the buttons come back
    expect(pop).to_be_visible()
    expect(page.get_by_text("POP!")).to_be_in_viewport()
    expect(page.locator("#bg-balloon")).to_be_hidden()
    screenshot(page, f"game-confirmed-{device}-pop")
    # Balloons 2 and 3: one pump when it is safe, then collect.
    for index in (1, 2):
        ready(page, index)
        if points[index] > 1:
            page.locator("#bg-pump").click()
            ready(page, index)
            expect(pop).to_be_hidden()
        page.locator("#bg-collect").click()
        expect(page.locator("#bg-banked")).to_be_visible()
    expect(page.locator("#bg-done")).to_be_visible(timeout=20_000)
    wait_until(page, "() => window.rpGame.state().completed === true", timeout=20)
    session, events = stored_session(django_db_blocker, study)
    assert session.quality_flags.get("schedule_violations") is None
    assert sum(e["type"] == "pop" for e in events) == 1
    context.close()


def test_a_page_behind_the_servers_count_catches_up_instead_of_getting_stuck(
    browser, live_app_server, study, django_db_blocker
):
    """The balloon was collected elsewhere (another tab, a reload): the page follows the server."""
    import json

    token, context, page = open_game(browser, live_app_server, study, DESKTOP)
    session, _ = stored_session(django_db_blocker, study)
    host = f"{study.slug}.localhost"
    auth = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    # Collected elsewhere before any pump (count 0): whatever the schedule, balloon 1 has ended.
    body = json.dumps({"balloon": 0, "action": "collect", "count": 0}).encode()
    status, _ = live_app_server.request("POST", host, f"/api/v1/game/sessions/{session.pk}/confirm/", body, auth)
    assert status == 200
    ready(page, 0)
    page.locator("#bg-pump").click()  # the server says balloon 1 has ended (409): the page moves on
    ready(page, 1)
    expect(page.get_by_text("Balloon 2 of 3")).to_be_visible()
    context.close()
