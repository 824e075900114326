"""A manager writes a questionnaire by clicking and typing, saves it, adds a published scale and
previews both, in Debian's Chromium at 1280 and 390 px. What is asserted is what is visible; each
page passes axe-core (no serious or critical findings), never scrolls sideways and logs no console
error. The participant page (the preview) has rating points a thumb can hit: at least 44 px.
Screenshots: questionnaires-list, questionnaire-author, questionnaire-preview and
questionnaire-participant, each -1280 and -390 (UPDATE_SCREENSHOTS=1: docs/screenshots/).
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

USERNAME, PASSWORD = "q-author", "pw-q-author-123"
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
MIN_TARGET = 44


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from tenants.membership import membership_grant

    with django_db_blocker.unblock(), dedicated_study("qauthor", title="Questionnaire study") as study:
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        membership_grant(study=study, user=user, role="manager")
        try:
            yield study
        finally:
            user.delete()


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


def _checked(page: Any, problems: list[str]) -> None:
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert not problems, problems


def _add_item(page: Any, kind: str, text: str, **fields: str) -> None:
    form = page.locator("#item-form")
    form.get_by_label("Type of question").select_option(label=kind)
    form.get_by_label("Question text").fill(text)
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="Add the item").click()
    expect(page.locator("#items .rp-qa-item-text").filter(has_text=text)).to_be_visible()


def _assert_tappable_points(page: Any) -> None:
    points = page.locator(".rp-q-point")
    assert points.count() > 0
    for index in range(points.count()):
        box = points.nth(index).bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET and box["width"] >= MIN_TARGET, box


@pytest.mark.parametrize("device", list(DEVICES))
def test_a_manager_writes_a_questionnaire_imports_a_scale_and_previews_them(
    browser,
    live_app_server,  # noqa: F811
    study,
    device,
):
    from questionnaires.library import shipped_scales

    width = DEVICES[device]["width"]
    title = f"Evening check-in {width}"
    shipped = shipped_scales()[0 if device == "desktop" else 1]
    page = new_context(browser, DEVICES[device]).new_page()
    problems = watch_console(page)
    base = live_app_server.study_url(study.slug)
    sign_in(page, base, "/manage/questionnaires/", USERNAME, PASSWORD)
    expect(page.get_by_role("heading", name="Questionnaires", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Questionnaires")).to_be_visible()
    _checked(page, problems)

    # Write: details, a scale, then items one at a time.
    page.get_by_role("button", name="Write a questionnaire").click()
    expect(page.get_by_role("heading", name="Write a questionnaire", level=1)).to_be_visible()
    page.wait_for_load_state("domcontentloaded")  # the deferred script has run: typing is now proposed live
    page.get_by_label("Title", exact=True).fill(title)
    expect(page.get_by_label("Key", exact=True)).to_have_value(f"evening-check-in-{width}")  # proposed as typed
    page.get_by_label("Instructions").fill("Think of today.")
    scales = page.locator("#scales")
    scales.get_by_label("Label", exact=True).fill("Energy")
    scales.get_by_label("Scale key").fill("energy")
    scales.get_by_role("button", name="Add the scale").click()
    expect(scales.locator(".rp-qa-item").get_by_text("Energy", exact=True)).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value(title)  # kept across the button

    form = page.locator("#item-form")
    expect(form.get_by_label("Options")).to_be_hidden()  # only the rating scale's fields show
    form.get_by_label("Counts in scale").select_option(label="Energy")
    _add_item(page, "Rating scale (likert)", "I felt full of energy.", **{"Point labels": "Not at all\nCompletely"})
    form.get_by_label("Counts in scale").select_option(label="Energy")
    form.get_by_label("Reverse keyed").check()
    _add_item(page, "Rating scale (likert)", "I felt tired.", **{"Point labels": "Not at all\nCompletely"})
    expect(page.locator("#items").get_by_text("reverse keyed")).to_be_visible()
    _add_item(page, "One choice", "Did you go outside?", Options="yes | Yes\nno | No")

    # A mistake is shown next to its field, and what was typed stays.
    form.get_by_label("Type of question").select_option(label="Several choices")
    form.get_by_label("Question text").fill("What did you do?")
    form.get_by_role("button", name="Add the item").click()
    expect(form.get_by_text("Give at least one option.")).to_be_visible()
    expect(form.get_by_label("Question text")).to_have_value("What did you do?")
    form.get_by_label("Options").fill("Work\nSport\nFriends")
    form.get_by_role("button", name="Add the item").click()
    expect(page.locator("#items .rp-qa-item-text").filter(has_text="What did you do?")).to_be_visible()

    form.get_by_label("Type of question").select_option(label="Free text")
    expect(form.get_by_text("Free text must not identify anyone.")).to_be_visible()
    _add_item(page, "Free text", "Anything else about today?")
    page.locator("#items").get_by_role("button", name="Move up item 5").click()
    expect(page.locator("#item-4")).to_contain_text("Anything else about today?")
    _checked(page, problems)
    screenshot(page, f"questionnaire-author-{width}", full_page=True)

    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text(f"Saved “{title}” as version 1.")).to_be_visible()
    card = page.locator(".rp-qcard").filter(has=page.get_by_role("heading", name=title))
    expect(card.get_by_text("Written for this study")).to_be_visible()
    expect(card.get_by_text("Energy", exact=True)).to_be_visible()

    # Import a published scale: its citation and licence are on the page.
    library = page.locator(".rp-qcard").filter(has=page.get_by_role("heading", name=shipped["title"]))
    expect(library.get_by_text(shipped["licence"]["text"])).to_be_visible()
    library.get_by_role("button", name="Add to this study").click()
    expect(page.get_by_text(f"“{shipped['title']}” is now a questionnaire of this study")).to_be_visible()
    expect(page.get_by_text("In this study").last).to_be_visible()
    _checked(page, problems)
    screenshot(page, f"questionnaires-list-{width}", full_page=True)

    # Preview what was written, as participants see it.
    card.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text("Nothing you answer is stored.")).to_be_visible()
    expect(page.get_by_text("I felt tired.")).to_be_visible()
    expect(page.get_by_text("Please do not write your name")).to_be_visible()
    _assert_tappable_points(page)
    _checked(page, problems)
    screenshot(page, f"questionnaire-preview-{width}", full_page=True)

    # The participant page of a published scale: five labelled points, readable and tappable.
    page.goto(f"{base}/manage/questionnaires/{shipped['key']}/preview/")
    expect(page.get_by_role("heading", name=shipped["title"], level=1)).to_be_visible()
    first = page.locator(".rp-q-point").first
    first.click()
    expect(first.locator("input")).to_be_checked()
    _assert_tappable_points(page)
    _checked(page, problems)
    screenshot(page, f"questionnaire-participant-{width}")
    page.context.close()
