"""End to end in Debian's Chromium: consent, play every balloon by keyboard, go offline and back,
reload mid-balloon; every event reaches the database exactly once and in order."""

from __future__ import annotations

import json
import random
import time

import pytest

# django_db: pytest-django only creates the test database for sessions with a test that asks for it.
from tests.browser_support import chromium, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def browser(django_db_setup):  # function scope: the test's database connection opens before Playwright's loop
    with chromium(close_connections=False) as browser:
        yield browser


def consent_token(server, slug: str) -> str:
    status, body = server.request("GET", f"{slug}.localhost", "/api/v1/consent/")
    document = json.loads(body)
    payload = {"consent_version": document["version"], "consent_sha256": document["sha256"], "agree": True}
    status, body = server.request(
        "POST",
        f"{slug}.localhost",
        "/api/v1/participants/",
        json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 201, body
    return json.loads(body)["token"]


def wait_ready_for(page, index: int) -> None:
    wait_until(
        page,
        "i => document.getElementById('game').dataset.balloon === String(i)"
        " && !document.getElementById('bg-pump').disabled",
        index,
    )


def play_balloon(page, balloon: dict, pumps: int) -> tuple[int, bool]:
    """Press Space `pumps` times (stopping at the pop), then Enter unless it popped."""
    for n in range(1, pumps + 1):
        page.keyboard.press("Space")
        if n == balloon["explosion_point"]:
            return n, True
    page.keyboard.press("Enter")
    return pumps, False


def stored_session(django_db_blocker, study):
    """The study's latest session and its events, read on a thread of its own (its own connection,
    closed afterwards, so the test database can be dropped at the end)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django_tenants.utils import tenant_context

    from games.models import GameSession
    from games.selectors import session_events

    def read():
        try:
            with django_db_blocker.unblock(), tenant_context(study):
                session = GameSession.objects.order_by("-started_at").first()
                return session, session_events(session=session)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


def test_a_participant_plays_every_balloon_and_every_event_arrives_once_in_order(
    browser,
    live_app_server,
    live_study,
    django_db_blocker,
):
    live_server = live_app_server
    started = time.monotonic()
    token = consent_token(live_server, live_study.slug)
    base = live_server.study_url(live_study.slug)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "participant_token", "value": token, "url": base, "httpOnly": True}])
    page = context.new_page()
    page.goto(f"{base}/play/")
    wait_until(page, "() => !!(window.rpGame && window.rpGame.state() && window.rpGame.state().balloons)")
    schedule = page.evaluate("window.rpGame.state().balloons")
    assert len(schedule) == 10
    rng = random.Random(11)
    played: list[tuple[int, bool]] = []
    for index, balloon in enumerate(schedule):
        wait_ready_for(page, index)
        if index == 3:
            context.set_offline(True)  # three balloons without a network
        if index == 6:
            context.set_offline(False)
        if index == 7:
            # Reload mid-balloon: the same balloon comes back with the same pump count.
            first = min(2, balloon["explosion_point"] - 1)
            for _ in range(first):
                page.keyboard.press("Space")
            wait_until(page, "n => document.getElementById('game').dataset.pumps === String(n)", first)
            page.reload()
            wait_ready_for(page, index)
            assert page.evaluate("document.getElementById('game').dataset.pumps") == str(first)
            rest = rng.randint(1, 6)
            pumps, popped = play_balloon(page, {**balloon, "explosion_point": balloon["explosion_point"] - first}, rest)
            played.append((pumps + first, popped))
            continue
        played.append(play_balloon(page, balloon, rng.randint(1, 8)))
    page.wait_for_selector("#bg-done:not([hidden])", timeout=30_000)
    assert "Thank you" in page.inner_text("#bg-done")
    assert page.evaluate("window.rpGame.state().queue.length") == 0
    # The end screen links to the results, and says when the traits pipeline has processed the session.
    page.wait_for_selector("#bg-results[data-state=ready]", timeout=30_000)
    assert page.get_attribute("#bg-results-link", "href") == "/results/"
    page.click("#bg-results-link")
    page.wait_for_selector("#results-title")
    assert "being prepared" not in page.inner_text("main") and "Neither end is better" in page.inner_text("main")

    session, events = stored_session(django_db_blocker, live_study)
    # Completed, then (the live server runs Celery eagerly) processed or flagged by the traits pipeline.
    assert session.status in ("completed", "processed", "flagged")
    assert [e["seq"] for e in events] == list(range(len(events)))  # no gap, no repeat: once, in order
    assert len({e["event_id"] for e in events}) == len(events)
    assert session.quality_flags == {}, session.quality_flags
    by_balloon: dict[int, list[dict]] = {}
    for event in events:
        if event["type"] in ("pump", "cash_out", "pop"):
            by_balloon.setdefault(event["balloon"], []).append(event)
    for index, (pumps, popped) in enumerate(played):
        actions = by_balloon[schedule[index]["index"]]
        assert [e["data"]["pump"] for e in actions if e["type"] == "pump"] == list(range(1, pumps + 1))
        assert actions[-1]["type"] == ("pop" if popped else "cash_out")
        assert actions[-1]["data"]["pumps"] == pumps
        assert all(e["data"].get("input", "keyboard") == "keyboard" for e in actions)
    kinds = [(e["data"]["kind"], e["data"].get("online")) for e in events if e["type"] == "context"]
    assert ("network", False) in kinds and ("network", True) in kinds and ("resume", None) in kinds
    assert (events[0]["type"], events[-1]["type"]) == ("session_start", "session_end")
    context.close()
    assert time.monotonic() - started < 60
