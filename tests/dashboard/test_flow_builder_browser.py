"""The flow builder in Debian's Chromium, at 390 and 1280 px: a manager builds consent information →
questionnaire → game → questionnaire → debrief with two conditions (low and high reward per pump)
only by clicking and typing, publishes it and previews a step as each condition. Each page checked
for what is visible, axe-core's serious findings, sideways scroll and console errors; screenshots
of the builder (UPDATE_SCREENSHOTS=1: docs/screenshots/flow-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
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

PASSWORD = "pw-flow-builder-123"
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
BEFORE = "IPIP-NEO Cautiousness (C6) (published scale)"
AFTER = "IPIP-NEO Excitement-Seeking (E5) (published scale)"


@pytest.fixture(scope="module")
def studies(django_db_setup, django_db_blocker) -> Iterator[dict[str, tuple[Any, str]]]:  # type: ignore[no-untyped-def]
    """A committed study and manager of its own for each device (each run builds the flow from the start).

    Module-scoped: created before any test transaction opens, so the server process sees them.
    """
    from django.contrib.auth import get_user_model

    from tenants.membership import membership_grant

    with django_db_blocker.unblock(), ExitStack() as stack:
        out: dict[str, tuple[Any, str]] = {}
        users = []
        for device in DEVICES:
            the_study = stack.enter_context(dedicated_study("flowb", title="Flow builder"))
            username = f"flow-builder-{device}"
            user = get_user_model().objects.create_user(username, password=PASSWORD)
            membership_grant(study=the_study, user=user, role="manager")
            users.append(user)
            out[device] = (the_study, username)
        try:
            yield out
        finally:
            for user in users:
                user.delete()


@pytest.fixture(scope="module")
def browser(studies) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


def _check(page: Any, problems: list[str], shot: str | None = None, width: int = 0) -> None:
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert not problems, problems
    if shot:
        screenshot(page, f"{shot}-{width}", full_page=True)
        # A full-page shot of a tall page leaves Chromium's hit-testing off until the viewport is set again.
        page.evaluate("() => window.scrollTo(0, 0)")


def _add_step(page: Any, kind: str, title: str, fill: dict[str, str], select: dict[str, str] | None = None) -> None:
    page.get_by_role("link", name="Add a step").click()
    expect(page.get_by_role("heading", name="Add a step", level=1)).to_be_visible()
    page.get_by_role("link", name=kind, exact=True).click()
    expect(page.get_by_role("heading", name=f"New step: {kind}", level=1)).to_be_visible()
    page.get_by_label("Title").fill(title)
    for label, value in fill.items():
        page.get_by_label(label, exact=True).fill(value)
    for label, value in (select or {}).items():
        page.get_by_label(label, exact=True).select_option(label=value)
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_text(f"Step “{title}” added.")).to_be_visible()


def _titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#draft .rp-flow-step h4").all_inner_texts()]


@pytest.mark.parametrize("device", list(DEVICES))
def test_a_manager_builds_publishes_and_previews_a_flow_by_clicking(
    browser,
    live_app_server,  # noqa: F811
    studies,
    device,
):
    the_study, username = studies[device]
    width = DEVICES[device]["width"]
    page = new_context(browser, DEVICES[device]).new_page()
    problems = watch_console(page, ignore_missing_favicon=True)
    base = live_app_server.study_url(the_study.slug)
    sign_in(page, base, "/manage/flow/", username, PASSWORD)

    # The live flow: the standard one, a game; the nav names the page.
    expect(page.get_by_role("heading", name="Flow", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Study").get_by_role("link", name="Flow")).to_be_visible()
    expect(page.get_by_role("heading", name="Live: version 1")).to_be_visible()
    _check(page, problems, "flow-live", width)

    page.get_by_role("button", name="Edit the flow").click()
    expect(page.get_by_role("heading", name="Draft: version 2")).to_be_visible()

    # A mistake first: a page without text is refused next to its field, the title typed kept.
    page.get_by_role("link", name="Add a step").click()
    page.get_by_role("link", name="Information page", exact=True).click()
    page.get_by_label("Title").fill("Consent information")
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_text("A page needs some text.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Consent information")
    # The refused form comes back with status 400, which Chromium logs as a console error: that one is expected.
    assert len(problems) == 1 and "status of 400" in problems[0], problems
    problems.clear()
    _check(page, problems, "flow-step-error", width)
    page.get_by_label("Text", exact=True).fill("You agreed to take part.\n\nYou can stop at any time.")
    page.get_by_label("Button label").fill("I am ready")
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_text("Step “Consent information” added.")).to_be_visible()

    _add_step(page, "Questionnaire", "Before the game", {}, {"Questionnaire": BEFORE})
    _add_step(page, "Questionnaire", "After the game", {}, {"Questionnaire": AFTER})
    # The step form, screenshotted before it is sent.
    page.get_by_role("link", name="Add a step").click()
    page.get_by_role("link", name="Information page", exact=True).click()
    page.get_by_label("Title").fill("Debrief")
    page.get_by_label("Text", exact=True).fill("Thank you. The study looked at how people take risks.")
    _check(page, problems, "flow-step-form", width)
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_text("Step “Debrief” added.")).to_be_visible()

    # Into order: consent, before, game, after, debrief.
    assert _titles(page) == ["Balloon game", "Consent information", "Before the game", "After the game", "Debrief"]
    page.get_by_role("button", name="Move Consent information up").click()
    expect(page.get_by_text("Moved “Consent information” up.")).to_be_visible()
    page.get_by_role("button", name="Move Before the game up").click()
    expect(page.get_by_text("Moved “Before the game” up.")).to_be_visible()
    assert _titles(page) == ["Consent information", "Before the game", "Balloon game", "After the game", "Debrief"]

    # Two conditions: the reward per pump, low and high.
    page.get_by_role("link", name="Add conditions").click()
    expect(page.get_by_role("heading", name="Conditions", level=1)).to_be_visible()
    for i, (label, reward) in enumerate([("Low reward", "0.01"), ("High reward", "0.10")]):
        group = page.get_by_role("group", name="New condition").nth(i)
        group.get_by_label("Label").fill(label)
        group.get_by_text("Balloon game: settings for this condition").click()
        group.get_by_label("Reward per pump").fill(reward)
    _check(page, problems, "flow-conditions", width)
    page.get_by_role("button", name="Save the conditions").click()
    expect(page.get_by_text("Conditions saved: 2.")).to_be_visible()
    conditions = page.locator("#draft .rp-flow-conditions")
    expect(conditions.get_by_text("Low reward")).to_be_visible()
    expect(conditions.get_by_text("Balloon game: Reward per pump: 0.1", exact=True)).to_be_visible()
    expect(page.locator("#step-game").get_by_text("Differs by condition: Reward per pump")).to_be_visible()

    # Assignment: each condition twice per balanced block.
    page.get_by_role("link", name="Change sessions and assignment").click()
    expect(page.get_by_role("heading", name="Sessions and assignment", level=1)).to_be_visible()
    expect(page.get_by_label("Number of sessions")).to_have_value("1")
    page.get_by_label("Each condition per block").fill("2")
    _check(page, problems, "flow-sessions", width)
    page.get_by_role("button", name="Save sessions").click()
    expect(page.get_by_text("Sessions saved.")).to_be_visible()
    expect(page.locator("#draft").get_by_text("each condition 2 times per block")).to_be_visible()
    page.goto(f"{base}/manage/flow/#draft")
    _check(page, problems, "flow-draft", width)

    # Publish: a page that says who keeps what, then version 2 is live.
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", name="Publish version 2?", level=1)).to_be_visible()
    expect(page.get_by_text("keep it to the end")).to_be_visible()
    _check(page, problems, "flow-publish", width)
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 is live.")).to_be_visible()
    expect(page.get_by_role("heading", name="Live: version 2")).to_be_visible()
    expect(page.get_by_role("button", name="Edit the flow")).to_be_visible()
    live_titles = [t.strip() for t in page.locator("#live .rp-flow-step h4").all_inner_texts()]
    assert live_titles == ["Consent information", "Before the game", "Balloon game", "After the game", "Debrief"]
    expect(page.get_by_role("cell", name="Retired", exact=False)).to_be_visible()
    _check(page, problems)

    # Preview the game as the high-reward condition: the page says what a pump earns there.
    page.get_by_role("link", name="Preview Balloon game as High reward").click()
    expect(page.get_by_role("heading", name="The Balloon game")).to_be_visible()
    expect(page.get_by_text("Each pump adds $0.10")).to_be_visible()
    _check(page, problems)
    page.get_by_role("link", name="Back to the flow").first.click()
    page.get_by_role("link", name="Preview Consent information", exact=True).click()
    expect(page.get_by_role("heading", name="Consent information", level=1)).to_be_visible()
    expect(page.get_by_text("You can stop at any time.")).to_be_visible()
    expect(page.get_by_role("button", name="I am ready")).to_be_visible()
    _check(page, problems, "flow-preview", width)
    page.context.close()
