"""The researcher's front door in Debian's Chromium, at 1280 and 390 px, each journey from
`localhost/` to its goal: the demo researcher signs in and finds the demo study with its participant
link, panel links, QR poster and dashboard; the demo administrator creates a study through the form,
reaches its checklist, drafts, previews and publishes consent, plays the preview to the end, opens
the study, and a participant then consents on the new link. Every page: axe-core without serious or
critical findings, nothing wider than the screen, a screenshot (UPDATE_SCREENSHOTS=1: docs/).

The demo data are committed through the real seed (tenants/seed.py) since the server is another
process (tests/live.py); without its simulated games, which these pages do not need and whose
processing (model fits) would cost the suite seconds.
"""

from __future__ import annotations

import re
import uuid
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
    seed_demo,
    wait_until,
)
from tests.live import live_app_server  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

DEVICES = {"desktop": DESKTOP, "phone": PHONE}
PASSWORDS = {"researcher": "pw-demo-researcher-123", "admin": "pw-demo-admin-123"}
CONSENT_BODY = "We study how people decide under risk with a short balloon game. You may stop at any time."


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Any:  # type: ignore[no-untyped-def]
    return seed_demo(django_db_blocker, tmp_path_factory.mktemp("seed"), PASSWORDS)


@pytest.fixture(scope="module")
def browser(demo) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


@pytest.fixture
def created(django_db_blocker) -> Iterator[list[str]]:
    """Slugs of the studies a journey creates through the form; their schemas are dropped afterwards."""
    slugs: list[str] = []
    yield slugs
    from tenants.models import Study
    from tenants.services import study_delete

    with django_db_blocker.unblock():
        for study in Study.objects.filter(slug__in=slugs):
            study_delete(study=study, confirm=study.slug)


def check(page: Any, name: str | None, device: str) -> None:
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    if name:
        screenshot(page, f"{name}-{DEVICES[device]['width']}", full_page=True)


def sign_in_at_front_door(browser: Any, server: Any, device: str, username: str, shots: bool) -> Any:
    page = new_context(browser, DEVICES[device]).new_page()
    base = server.url()
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # the front door asks who you are
    check(page, "login", device)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", name="My studies", level=1)).to_be_visible()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()
    return page


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_researcher_finds_the_demo_study_its_link_and_its_dashboard(
    browser,
    live_app_server,  # noqa: F811
    demo,
    device,
):
    page = sign_in_at_front_door(browser, live_app_server, device, "researcher", shots=True)
    card = page.locator("section.rp-study", has=page.get_by_role("heading", name=demo.title))
    expect(card).to_be_visible()
    link = card.get_by_label("Participant link")
    expect(link).to_be_visible()
    expect(link).to_have_value(f"http://{demo.slug}.localhost:{live_app_server.port}/")
    expect(card.get_by_role("link", name="Open dashboard")).to_be_visible()
    card.get_by_role("button", name="Copy link").click()
    # localhost is a secure context, the clipboard may still be refused headless: either way the person is told.
    expect(card.get_by_role("status")).to_have_text(re.compile("Copied to the clipboard|Selected: press Ctrl\\+C"))
    card.get_by_text("Links for survey panels").click()
    expect(card.get_by_text("{{%PROLIFIC_PID%}}").first).to_be_visible()
    check(page, "platform-home", device)

    card.get_by_role("link", name="QR code to print").click()
    qr = page.get_by_role("img", name=re.compile("QR code of"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box and box["width"] >= 200 and box["height"] >= 200, box  # big enough to scan from paper
    # The SVG really loaded (an image that failed keeps its box from width/height but no natural size).
    wait_until(page, "() => { const i = document.querySelector('img.rp-qr'); return i.complete && i.naturalWidth > 0 }")
    check(page, "study-poster", device)
    page.go_back()

    page.get_by_role("link", name="Open dashboard").first.click()
    page.wait_for_url(f"{live_app_server.study_url(demo.slug)}/dashboard/")
    expect(page.get_by_text("Signed in as researcher")).to_be_visible()  # the hand-off signed them in there
    expect(page.get_by_role("navigation").get_by_role("link", name="Set-up")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.context.close()


def play_the_preview(page: Any, balloons: int) -> None:
    """One pump and a cash-out per balloon (a pop on the first pump ends the balloon just as well)."""
    for index in range(balloons):
        wait_until(
            page,
            "i => document.getElementById('game').dataset.balloon === String(i)"
            " && !document.getElementById('bg-pump').disabled",
            index,
            timeout=15,
        )
        page.keyboard.press("Space")
        page.keyboard.press("Enter")


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_admin_creates_a_study_sets_it_up_and_a_participant_joins(
    browser,
    live_app_server,  # noqa: F811
    demo,
    device,
    created,
):
    page = sign_in_at_front_door(browser, live_app_server, device, "admin", shots=False)
    page.get_by_role("link", name="Create a study").click()
    expect(page.get_by_role("heading", name="Create a study")).to_be_visible()
    slug = f"door-{device}-{uuid.uuid4().hex[:4]}"
    title = f"Front door {device}"
    # A mistake first: the form says what is wrong and keeps what was typed.
    page.get_by_label("Title").fill(title)
    page.get_by_label("Short name (address)").fill("Not a slug!")
    page.get_by_role("button", name="Create the study").click()
    expect(page.get_by_text("Please correct the fields marked below; nothing was created.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(title)
    check(page, "study-new-error", device)
    page.get_by_label("Short name (address)").fill(slug)
    page.get_by_label("Balloons per color").fill("2")
    page.get_by_label("Colors").fill("blue 128")
    check(page, "study-new", device)
    created.append(slug)
    page.get_by_role("button", name="Create the study").click()

    study_base = live_app_server.study_url(slug)
    page.wait_for_url(f"{study_base}/manage/setup/", timeout=60_000)  # the schema is made meanwhile
    expect(page.get_by_role("heading", name="Set-up checklist")).to_be_visible()
    expect(page.get_by_text("0 of 5 steps done.")).to_be_visible()
    expect(page.get_by_text("Draft").first).to_be_visible()
    check(page, "study-setup-new", device)

    # Consent: a draft, previewed as participants see it, then published.
    page.get_by_role("link", name="Open the consent page").click()
    page.locator("#draft #id_version").fill("1.0")
    page.locator("#draft #id_title").fill("Consent to take part")
    page.locator("#draft #id_body").fill(CONSENT_BODY)
    page.get_by_role("button", name="Save draft").click()
    row = page.locator("tbody tr", has_text="Consent to take part")
    expect(row.get_by_text("draft")).to_be_visible()
    check(page, "consent-manage-draft", device)
    row.get_by_role("link", name="Preview").click()
    expect(page.get_by_text("Nothing you tick here is stored.")).to_be_visible()
    expect(page.get_by_text(CONSENT_BODY)).to_be_visible()
    check(page, "preview-consent", device)
    page.locator("#id_agree").check()
    page.get_by_role("button", name="I agree — continue").click()
    page.wait_for_url(re.compile(r"/manage/preview/game/"))
    expect(page.get_by_text("Nothing you do here is stored")).to_be_visible()
    check(page, "preview-game", device)
    play_the_preview(page, balloons=2)
    back = page.locator("#bg-done").get_by_role("link", name="Back to the set-up checklist")
    expect(back).to_be_visible(timeout=20_000)
    back.click()
    page.wait_for_url(f"{study_base}/manage/setup/")
    expect(page.locator("li", has_text="Check the game in the preview").get_by_text("done")).to_be_visible()

    page.goto(f"{study_base}/manage/consent/")
    page.get_by_role("button", name="Publish 1.0").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Publish version 1.0?")).to_be_visible()
    dialog.get_by_role("button", name="Publish").click()
    expect(page.locator("tbody tr", has_text="Consent to take part").get_by_text("current")).to_be_visible()

    # Open the study and share the link.
    page.goto(f"{study_base}/manage/setup/")
    page.get_by_role("radio", name=re.compile("^Recruiting")).check()
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("The study is now recruiting.")).to_be_visible()
    expect(page.get_by_text("4 of 5 steps done.")).to_be_visible()

    participant = new_context(browser, DEVICES[device]).new_page()
    participant.goto(f"{study_base}/")
    expect(participant.get_by_text(CONSENT_BODY)).to_be_visible()
    participant.locator("#id_agree").check()
    participant.get_by_role("button", name="I agree").click()
    participant.wait_for_url(f"{study_base}/play/")
    expect(participant.locator(".bg-code .bg-code-value")).to_be_visible()
    participant.context.close()

    page.reload()
    expect(page.get_by_text("5 of 5 steps done.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^1 participant\(s\) have joined"))).to_be_visible()
    check(page, "study-setup-done", device)
    page.context.close()
