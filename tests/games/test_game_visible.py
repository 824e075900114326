"""What a participant sees of the Balloon game, in Debian's Chromium, asserted on the rendered page.

The last round found "POP!" on screen all the time (a CSS rule beat `hidden`) and a balloon whose
size gave its risk away, with every attribute-level test green. These tests look at visibility,
rendered sizes and the viewport only. A study of three colours (128, 32 and 8 pumps) on a real server.
"""

from __future__ import annotations

import itertools
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
    in_viewport,
    new_context,
    screenshot,
    wait_until,
)
from tests.committed import dedicated_study
from tests.games.test_play_browser import consent_token, stored_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COLOURS = [
    {"color": "blue", "max_pumps": 128},
    {"color": "orange", "max_pumps": 32},
    {"color": "yellow", "max_pumps": 8},
]
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from tests.consent.support import publish

    config = {"balloons_per_color": 2, "colors": COLOURS, "block_size": 2, "currency": "EUR"}
    with django_db_blocker.unblock(), dedicated_study("visible", title="Balloons", game_config=config) as study:
        publish(study, body="You may stop at any time.")
        yield study


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:  # after the study: Playwright's loop is gone before the study is dropped
    with chromium() as browser:
        yield browser


def open_game(browser: Any, server: Any, study: Any, viewport: dict[str, int], **extra: Any) -> tuple[Any, Any]:
    token = consent_token(server, study.slug)
    base = server.study_url(study.slug)
    context = new_context(browser, viewport, **extra)
    context.add_cookies([{"name": "participant_token", "value": token, "url": base, "httpOnly": True}])
    page = context.new_page()
    page.goto(f"{base}/play/")
    wait_until(page, "() => !!(window.rpGame && window.rpGame.state() && window.rpGame.state().balloons)")
    return context, page


def ready(page: Any, index: int) -> None:
    wait_until(
        page,
        "i => document.getElementById('game').dataset.balloon === String(i)"
        " && !document.getElementById('bg-pump').disabled",
        index,
    )


def width(page: Any) -> float:
    box = page.locator("#bg-balloon").bounding_box()
    assert box is not None, "the balloon is not rendered"
    return float(box["width"])


def schedule(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("window.rpGame.state().balloons")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_pop_is_seen_only_after_a_pop_and_the_popped_balloon_is_gone(browser, live_app_server, study, device):
    context, page = open_game(browser, live_app_server, study, VIEWPORTS[device])
    pop, balloon = page.locator("#bg-pop"), page.locator("#bg-balloon")
    balloons = schedule(page)
    ready(page, 0)
    expect(pop).to_be_hidden()  # before the first pump
    expect(balloon).to_be_visible()
    keys = page.locator(".bg-keys")
    expect(keys).to_be_hidden() if device == "phone" else expect(keys).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    start_width = width(page)
    popped = False
    for index, b in enumerate(balloons):
        ready(page, index)
        assert width(page) == pytest.approx(start_width, abs=0.01)  # every balloon starts at the same size
        if not popped and b["explosion_point"] <= 8:
            for _ in range(b["explosion_point"]):
                page.locator("#bg-pump").click()
            # At once: the burst is on screen and the balloon is gone; no balloon of the next colour yet.
            expect(pop).to_be_visible()
            expect(page.get_by_text("POP!")).to_be_in_viewport()
            expect(balloon).to_be_hidden()
            screenshot(page, f"game-{device}-pop")
            popped = True
            continue
        if b["explosion_point"] > 1:
            page.locator("#bg-pump").click()
            expect(pop).to_be_hidden()  # an intact balloon after a pump
        page.locator("#bg-collect").click()
        expect(pop).to_be_hidden()  # after a collect
        expect(page.locator("#bg-banked")).to_be_visible()
        expect(balloon).to_be_hidden()
    assert popped, "the schedule had no balloon of 8 pumps or fewer to pop"
    expect(page.locator("#bg-done")).to_be_visible(timeout=20_000)
    expect(pop).to_be_hidden()
    context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_balloon_grows_the_same_every_pump_for_every_colour(browser, live_app_server, study, device):
    # Reduced motion: no transition, so each measured box is the finished one.
    context, page = open_game(browser, live_app_server, study, VIEWPORTS[device], reduced_motion="reduce")
    balloons = schedule(page)
    by_colour: dict[str, list[float]] = {}
    for index, b in enumerate(balloons):
        ready(page, index)
        if b["color"] in by_colour:
            page.locator("#bg-collect").click()
            continue
        widths = [width(page)]
        if b["max_pumps"] == 128:
            # The client only: the true explosion point may come before 128; this test is about the picture.
            page.evaluate("i => { window.rpGame.state().balloons[i].explosion_point = 100000; }", index)
            pumps = 128
        else:
            pumps = b["explosion_point"] - 1
        for n in range(1, pumps + 1):
            page.locator("#bg-pump").click()
            wait_until(page, "n => document.getElementById('game').dataset.pumps === String(n)", n)
            widths.append(width(page))
            if b["max_pumps"] == 128 and n in (1, 30, 100):
                screenshot(page, f"game-{device}-pump-{n}")
        by_colour[b["color"]] = widths
        page.locator("#bg-collect").click()
    blue = by_colour["blue"]
    assert all(later > earlier for earlier, later in itertools.pairwise(blue)), blue
    stage = page.locator("#bg-stage").bounding_box()
    assert blue[-1] <= stage["width"]  # the largest balloon still fits the stage
    for colour, widths in by_colour.items():
        for pumps, w in enumerate(widths):
            assert w == pytest.approx(blue[pumps], abs=0.01), (colour, pumps)
    context.close()


@pytest.mark.parametrize(
    "viewport", [{"width": 360, "height": 780}, PHONE, DESKTOP], ids=["phone360", "phone", "desktop"]
)
def test_the_end_screen_is_in_view_with_earnings_code_and_next_steps(browser, live_app_server, study, viewport):
    context, page = open_game(browser, live_app_server, study, viewport)
    for index, b in enumerate(schedule(page)):
        ready(page, index)
        if index == 0:
            assert_no_sideways_scroll(page)  # the game itself, at 360 px too
        if b["explosion_point"] > 1:
            page.locator("#bg-pump").click()
        page.locator("#bg-collect").click()
    done = page.locator("#bg-done")
    expect(done).to_be_visible(timeout=20_000)
    expect(page.locator("#game")).to_be_hidden()
    expect(page.get_by_text("Your answers are saved")).to_be_visible(timeout=20_000)
    code = page.locator("#bg-done-code")
    expect(code).to_be_visible()
    assert in_viewport(page, page.locator("#bg-done-title")) and in_viewport(page, code)
    assert in_viewport(page, page.locator(".bg-final-line"))
    assert "€" in page.locator("#bg-final").inner_text()
    expect(page.get_by_role("link", name="See your results")).to_be_visible()
    expect(page.get_by_role("link", name="Your data: see, download or delete it")).to_be_visible()
    assert_no_sideways_scroll(page)
    name = "phone" if viewport is PHONE else "desktop" if viewport is DESKTOP else "phone360"
    if name != "phone360":
        assert_accessible(page)
        screenshot(page, f"game-{name}-end")
    # Coming back: told they finished, never a fresh "Balloon - of -".
    page.reload()
    expect(page.get_by_role("heading", name="You have already finished the Balloon game")).to_be_visible()
    expect(page.get_by_text("Balloon 1 of")).to_be_hidden()
    assert_no_sideways_scroll(page)
    if name != "phone360":
        assert_accessible(page)
        screenshot(page, f"game-{name}-finished")
    context.close()


def test_after_a_reload_the_context_stream_says_the_page_is_visible_again(
    browser, live_app_server, study, django_db_blocker
):
    context, page = open_game(browser, live_app_server, study, DESKTOP)
    ready(page, 0)
    page.reload()  # the unloading page records "hidden"
    ready(page, 0)
    page.locator("#bg-collect").click()
    ready(page, 1)
    page.evaluate("window.rpGame.flush()")
    wait_until(page, "() => window.rpGame.state().queue.length === 0")
    _, events = stored_session(django_db_blocker, study)
    visibility = [e["data"]["state"] for e in events if e["type"] == "context" and e["data"]["kind"] == "visibility"]
    assert "hidden" in visibility and visibility[-1] == "visible", visibility
    context.close()


def test_the_end_screen_says_when_it_is_offline_and_then_that_everything_is_saved(browser, live_app_server, study):
    context, page = open_game(browser, live_app_server, study, PHONE)
    balloons = schedule(page)
    for index in range(len(balloons)):
        ready(page, index)
        if index == len(balloons) - 1:
            context.set_offline(True)
        page.locator("#bg-collect").click()
    expect(page.locator("#bg-done")).to_be_visible()
    page.evaluate("window.rpGame.flush()")
    saving = page.locator("#bg-saving")
    expect(saving).to_be_visible()
    expect(saving).to_contain_text("Offline: your moves are kept", timeout=10_000)
    expect(page.get_by_text("Your answers are saved")).to_be_hidden()
    context.set_offline(False)
    expect(page.get_by_text("Your answers are saved")).to_be_visible(timeout=30_000)
    context.close()
