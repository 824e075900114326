"""The whole of #21 in Debian's Chromium: a manager designs a study in the browser (consent → questionnaire →
game → questionnaire → debrief, two conditions), a participant completes it on a phone, and the researcher
sees the condition, the scores and the validity panel on the dashboard and exports them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
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
    wait_until,
)
from tests.committed import dedicated_study
from tests.dashboard.test_flow_builder_browser import _add_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "pw-journey-21-abc"
BEFORE = "IPIP-NEO Cautiousness (C6) (published scale)"
AFTER = "IPIP-NEO Excitement-Seeking (E5) (published scale)"


@pytest.fixture(scope="module")
def journey(django_db_setup, django_db_blocker) -> Iterator[tuple[Any, str]]:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from consent.services import consent_document_draft, consent_document_publish
    from tenants.membership import membership_grant

    with django_db_blocker.unblock(), ExitStack() as stack:
        study = stack.enter_context(
            dedicated_study("journey", title="Risk and reward", game_config={"balloons_per_color": 3})
        )
        with tenant_context(study):
            consent_document_publish(
                document=consent_document_draft(version="1.0", title="Consent", body="You may stop at any time.")
            )
        user = get_user_model().objects.create_user("journey-manager", password=PASSWORD)
        membership_grant(study=study, user=user, role="manager")
        try:
            yield study, user.username
        finally:
            user.delete()


@pytest.fixture(scope="module")
def browser(journey) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


def _build(page: Any, base: str, username: str) -> None:
    sign_in(page, base, "/manage/flow/", username, PASSWORD)
    page.get_by_role("button", name="Edit the flow").click()
    page.get_by_role("link", name="Add a step").click()
    page.get_by_role("link", name="Information page", exact=True).click()
    page.get_by_label("Title").fill("About this study")
    page.get_by_label("Text", exact=True).fill("A few questions, a game with balloons, a few more questions.")
    page.get_by_role("button", name="Add the step").click()
    _add_step(page, "Questionnaire", "Before the game", {}, {"Questionnaire": BEFORE})
    _add_step(page, "Questionnaire", "After the game", {}, {"Questionnaire": AFTER})
    _add_step(page, "Information page", "Debrief", {"Text": "Thank you. The game measured risk taking."})
    page.get_by_role("button", name="Move About this study up").click()
    page.get_by_role("button", name="Move Before the game up").click()
    page.get_by_role("link", name="Add conditions").click()
    for i, (label, reward) in enumerate([("Low reward", "0.01"), ("High reward", "0.10")]):
        group = page.get_by_role("group", name="New condition").nth(i)
        group.get_by_label("Label").fill(label)
        group.get_by_text("Balloon game: settings for this condition").click()
        group.get_by_label("Reward per pump").fill(reward)
    page.get_by_role("button", name="Save the conditions").click()
    expect(page.get_by_text("Conditions saved: 2.")).to_be_visible()
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 is live.")).to_be_visible()
    titles = [t.strip() for t in page.locator("#live .rp-flow-step h4").all_inner_texts()]
    assert titles == ["About this study", "Before the game", "Balloon game", "After the game", "Debrief"]


def _answer_all(page: Any, prefix: str, choice: str) -> None:
    for n in range(1, 11):
        page.locator(f"#q-{prefix}{n:02d}").get_by_text(choice, exact=True).click()
    page.get_by_role("button", name="Submit answers").click()


def _participate(page: Any, base: str) -> str:
    page.goto(f"{base}/")
    page.get_by_label("I agree", exact=False).first.check()
    page.get_by_role("button", name="I agree — continue").click()
    expect(page.get_by_role("heading", name="About this study")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Before the game")).to_be_visible()
    assert_no_sideways_scroll(page)
    _answer_all(page, "ca", "Moderately Accurate")
    page.wait_for_url(f"{base}/play/", timeout=30_000)
    code = page.locator(".bg-code-value").first.inner_text().strip()
    wait_until(page, "() => !!(window.rpGame && window.rpGame.state() && window.rpGame.state().balloons)")
    for index in range(3):
        wait_until(
            page,
            "i => document.getElementById('game').dataset.balloon === String(i)"
            " && !document.getElementById('bg-pump').disabled",
            index,
        )
        page.get_by_role("button", name="Pump").click()
        if page.get_by_role("button", name="Collect").is_enabled():
            page.get_by_role("button", name="Collect").click()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="After the game")).to_be_visible(timeout=30_000)
    _answer_all(page, "es", "Very Inaccurate")
    expect(page.get_by_role("heading", name="Debrief")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="You have finished the study")).to_be_visible()
    assert_no_sideways_scroll(page)
    return code


def test_a_study_designed_in_the_browser_is_completed_on_a_phone_and_analysed(browser, live_app_server, journey):
    study, username = journey
    base = live_app_server.study_url(study.slug)
    manager = new_context(browser, DESKTOP).new_page()
    _build(manager, base, username)

    phone = new_context(browser, PHONE).new_page()
    code = _participate(phone, base)

    # The researcher: the participant's condition and scores, then the validity panel.
    manager.goto(f"{base}/dashboard/participants/{code}/")
    design = manager.locator("#participant-design")
    expect(design).to_be_visible()
    condition = "Low reward" if "Low reward" in design.inner_text() else "High reward"
    expect(design.get_by_text(condition)).to_be_visible()
    scores = manager.locator("#participant-questionnaires")
    scores.scroll_into_view_if_needed()
    expect(scores.get_by_text("Cautiousness", exact=True)).to_be_visible()
    # Hand-scored: "Moderately Accurate" (4) to all ten, seven reverse-keyed: (3·4 + 7·2) / 10 = 2.6;
    # "Very Inaccurate" (1) to all ten, two reverse-keyed: (8·1 + 2·5) / 10 = 1.8.
    expect(scores.get_by_text("2.60")).to_be_visible()
    expect(scores.get_by_text("1.80")).to_be_visible()
    assert_accessible(manager)
    manager.goto(f"{base}/dashboard/")
    validity = manager.locator("#validity-panel")
    validity.scroll_into_view_if_needed()
    expect(validity).to_be_visible()
    expect(validity.get_by_text("not enough data", exact=False).first).to_be_visible()  # n = 1 of 4 needed
    design_panel = manager.locator("#design-panel")
    design_panel.scroll_into_view_if_needed()
    expect(design_panel.get_by_text(condition)).to_be_visible()
    screenshot(manager, "journey-dashboard-1280", full_page=True)
    _exports(manager, base, code, condition)


def _download(page: Any, fmt: str) -> bytes:
    with page.expect_download() as info:
        page.locator(f"a[data-format='{fmt}']").click()
    path = info.value.path()
    with open(path, "rb") as fh:
        return fh.read()


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _exports(page: Any, base: str, code: str, condition: str) -> None:
    """The exports page: the participants table names the condition, the scores table the hand-scored
    scores, the trial table the condition of every balloon, and the Psych-DS zip describes them all."""
    key = {"Low reward": "low_reward", "High reward": "high_reward"}[condition]
    page.goto(f"{base}/dashboard/exports/")
    expect(page.locator("a[data-format='scores']")).to_be_visible()
    assert_accessible(page)
    people = [r for r in _csv(_download(page, "participants")) if r["participant"] == code]
    assert len(people) == 1 and people[0]["condition"] == key and people[0]["condition_label"] == condition
    assert people[0]["flow_version"] == "2" and people[0]["assignment_block"] == "0"
    scores = {r["scale"]: r for r in _csv(_download(page, "scores")) if r["participant"] == code}
    assert float(scores["cautiousness"]["score"]) == pytest.approx(2.6)
    assert float(scores["excitement_seeking"]["score"]) == pytest.approx(1.8)
    assert {r["condition"] for r in scores.values()} == {key}
    trials = [r for r in _csv(_download(page, "csv")) if r["participant"] == code]
    assert trials and {r["condition"] for r in trials} == {key} and {r["flow_version"] for r in trials} == {"2"}
    bundle = zipfile.ZipFile(io.BytesIO(_download(page, "psychds")))
    description = json.loads(bundle.read("dataset_description.json"))
    measured = {v["name"] if isinstance(v, dict) else v for v in description["variableMeasured"]}
    assert {"condition", "flow_version", "scale", "score", "item", "rt_ms"} <= measured
