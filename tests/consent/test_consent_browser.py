"""The consent pages in Debian's Chromium on a phone: readable without sideways scrolling, nothing
pre-ticked, the whole way to the game by keyboard alone, a decline that stores nothing, a panel link
whose id ends up only encrypted, and the game refusing anyone without a live consent.

A real server process (tests/live.py) on a committed study of this module's own (tests/committed.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tests.browser_support import chromium
from tests.committed import dedicated_study, wait_for
from tests.live import ROOT, live_app_server  # noqa: F401  (session fixture)
from tests.pseudonymization.test_no_plaintext import _forms, scan_database

# django_db: pytest-django creates the test database only for sessions with a test that asks for it;
# everything the pages write is committed by the server process, the test only reads.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
SCREENSHOT = ROOT / "docs" / "screenshots" / "consent-phone.png"


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from tests.consent.support import publish

    body = (
        "We study how people decide under risk with a short balloon game (about 10 minutes).\n\n"
        "Your answers are stored under a random code, never with your name. "
        "You may stop at any time without giving a reason."
    )
    with (
        django_db_blocker.unblock(),
        dedicated_study("consentb", title="Decisions under risk", game_config={"balloons_per_color": 10}) as study,
    ):
        publish(study, body=body)
        yield study


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:  # after the study: Playwright's loop is gone when the study is dropped
    with chromium() as browser:
        yield browser


@pytest.fixture
def phone(browser, live_app_server, study) -> Iterator[tuple[Any, str]]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield context, live_app_server.study_url(study.slug)
    context.close()


def counts(study: Any) -> dict[str, int]:
    from consent.models import ConsentRecord
    from pseudonymization.models import Participant, ParticipantKey, ParticipantToken

    with tenant_context(study):
        return {
            "participants": Participant.objects.count(),
            "records": ConsentRecord.objects.count(),
            "keys": ParticipantKey.objects.count(),
            "tokens": ParticipantToken.objects.count(),
        }


def tab_to(page: Any, selector: str, limit: int = 15) -> int:
    """Press Tab until ``selector`` has the focus; returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} never got the keyboard focus in {limit} Tab presses")


def test_the_consent_page_fits_a_phone_and_nothing_is_pre_ticked(phone):
    context, base = phone
    page = context.new_page()
    page.goto(f"{base}/?PROLIFIC_PID=ScreenshotPanelId000001")
    layout = page.evaluate(
        """() => ({
            scroll: document.documentElement.scrollWidth, width: window.innerWidth,
            font: parseFloat(getComputedStyle(document.querySelector('.rp-consent p:not(.rp-muted)')).fontSize),
            widest: Math.max(...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right)),
        })"""
    )
    assert layout["scroll"] <= layout["width"] == PHONE["width"]  # no sideways scrolling
    assert layout["widest"] <= layout["width"]
    assert layout["font"] >= 16  # body text at a readable size on a phone
    assert page.is_checked("#id_agree") is False
    assert page.get_attribute("#id_agree", "checked") is None
    for name in ("agree_submit", "decline"):  # both choices on screen, big enough to tap
        box = page.locator(f"button[name={name}]").bounding_box()
        assert box is not None and box["height"] >= 40 and box["x"] + box["width"] <= PHONE["width"]
    assert "ScreenshotPanelId000001" not in page.content()  # the page never echoes the panel id
    shot = ROOT / "var" / "screenshots" / SCREENSHOT.name
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, SCREENSHOT)


def test_by_keyboard_alone_a_participant_agrees_and_plays_a_balloon(phone, study):
    from games.models import GameSession
    from games.selectors import session_events

    context, base = phone
    page = context.new_page()
    page.goto(f"{base}/consent/")
    tab_to(page, "#id_agree")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")  # the focus is shown
    page.keyboard.press("Space")
    assert page.is_checked("#id_agree")
    tab_to(page, "button[name=agree_submit]", limit=3)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/play/"

    # One balloon, by keyboard: pump twice (or until it pops), then bank.
    wait_until(page, "() => !!(window.rpGame && window.rpGame.state() && window.rpGame.state().balloons)")
    first = page.evaluate("window.rpGame.state().balloons[0]")
    wait_until(page, "() => document.getElementById('game').dataset.balloon === '0'"
                     " && !document.getElementById('bg-pump').disabled")  # fmt: skip
    pumps = min(2, first["explosion_point"])
    for _ in range(pumps):
        page.keyboard.press("Space")
    if pumps < first["explosion_point"]:
        page.keyboard.press("Enter")
    wait_until(page, "() => document.getElementById('game').dataset.balloon === '1'")
    wait_until(page, "() => window.rpGame.state().queue.length === 0")  # sent and acknowledged

    def stored() -> tuple[Any, list[dict]]:
        with tenant_context(study):
            session = GameSession.objects.select_related("participant").order_by("-started_at").first()
            return session, session_events(session=session)

    session, events = stored()
    assert session is not None and session.participant.status == "active"
    actions = [e for e in events if e["balloon"] == first["index"] and e["type"] in ("pump", "cash_out", "pop")]
    assert [e["data"]["pump"] for e in actions if e["type"] == "pump"] == list(range(1, pumps + 1))
    assert actions[-1]["type"] == ("pop" if pumps == first["explosion_point"] else "cash_out")


def test_declining_stores_nothing(phone, study):
    context, base = phone
    before = counts(study)
    page = context.new_page()
    page.goto(f"{base}/?PROLIFIC_PID=DeclinedPanelId7Q3")
    tab_to(page, "button[name=decline]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/consent/declined/"
    assert counts(study) == before
    assert [c["name"] for c in context.cookies() if c["name"] == "participant_token"] == []
    hits, _ = scan_database(_forms("DeclinedPanelId7Q3"))
    assert hits == []


def test_a_panel_link_leaves_the_id_only_encrypted(phone, study):
    from pseudonymization.models import Participant
    from pseudonymization.services import participant_external_id

    panel_id = "PanelIdInBrowser5e8Kq2"
    context, base = phone
    before = counts(study)
    page = context.new_page()
    page.goto(f"{base}/?PROLIFIC_PID={panel_id}")
    assert panel_id not in page.content()
    page.check("#id_agree")
    with page.expect_navigation():
        page.click("button[name=agree_submit]")
    assert page.url == f"{base}/play/"

    def stored() -> tuple[int, Any, str | None]:
        with tenant_context(study):
            participant = Participant.objects.exclude(external_id_ciphertext=None).order_by("-pk").first()
            return counts(study)["participants"], participant, participant_external_id(participant=participant)

    participants, participant, decrypted = stored()
    assert participants == before["participants"] + 1
    assert participant.external_id_index and participant.external_id_ciphertext
    assert decrypted == panel_id  # stored encrypted, and only that way:
    hits, tables = scan_database(_forms(panel_id))
    assert hits == [] and tables > 20  # every column of every table in every schema


def test_the_game_sends_anyone_without_a_live_consent_to_the_consent_page(phone):
    context, base = phone
    page = context.new_page()
    page.goto(f"{base}/play/")
    assert page.url == f"{base}/consent/"  # never agreed
    page.check("#id_agree")
    with page.expect_navigation():
        page.click("button[name=agree_submit]")
    assert page.url == f"{base}/play/"
    page.goto(f"{base}/withdraw/")
    with page.expect_navigation():
        page.click("button[name=withdraw]")
    assert "No further data from you is accepted" in page.content()
    page.goto(f"{base}/play/")
    assert page.url == f"{base}/consent/"  # withdrawn
    assert "You have withdrawn" in page.content()


def wait_until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Poll with page.evaluate: the pages' Content-Security-Policy forbids wait_for_function's eval."""
    wait_for(lambda: page.evaluate(expression), timeout=timeout, what=expression, interval=0.05)
