"""The dashboard's charts as a scientist sees them in Chromium at 1280 and 390 px (issue #17): text of at
least 12 CSS px, tick labels visible and in one number format per axis, a data table that opens under
each chart, no CSP violation or script error, no serious axe finding, no sideways scroll.

CSP and console errors are watched in a context that enforces the page's CSP (the shared helper
bypasses it for axe-core); axe runs in a second context. Screenshots go to var/screenshots/
(docs/screenshots/ with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import itertools
import re
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
from tests.live import live_app_server  # noqa: F401  (the session-scoped live server)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME, PASSWORD = "charts_viewer", "pw-charts-viewer-123"
MIN_TEXT_PX = 12.0
# One number: digits, an optional minus (U+2212) or plus, optional decimals.
NUMBER = re.compile(r"^[\u2212+]?\d+(?:\.(\d+))?$")

TEXTS_JS = """() => [...document.querySelectorAll('svg.rp-svg text')].map(t => {
  const box = t.getBoundingClientRect(), ctm = t.getScreenCTM();
  // The line's height on screen: the box's height, or its width for a label turned 90 degrees.
  return {text: t.textContent, across: Math.abs(ctm.b) > Math.abs(ctm.a) ? box.width : box.height,
          px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(ctm.a, ctm.b)};
})"""

AXES_JS = """() => [...document.querySelectorAll('svg.rp-svg g.rp-axis')].map(g => {
  const svg = g.ownerSVGElement.getBoundingClientRect();
  return {axis: g.dataset.axis, chart: g.ownerSVGElement.querySelector('title').textContent,
          labels: [...g.querySelectorAll('text')].map(t => {
            const b = t.getBoundingClientRect();
            return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom,
                    inside: b.width > 0 && b.left >= svg.left - 0.5 && b.right <= svg.right + 0.5
                            && b.top >= svg.top - 0.5 && b.bottom <= svg.bottom + 0.5};
          })};
})"""


def _an_extreme_player() -> str:
    """One more participant who pumps to about 80 on every balloon, far past the reference (32 +/- 12):
    their risk-tolerance z is beyond +3, which the charts must count at the edge, not stretch to."""
    from games.services import session_complete, session_ingest_events, session_start
    from games.simulate import TargetPolicy, batches, simulate_session
    from pseudonymization.services import participant_enrol
    from tests.dashboard.support import SENT_AT
    from traits.tasks import process_session

    participant = participant_enrol()
    session, _ = session_start(participant=participant, seed="charts-extreme")
    sim = simulate_session(session.schedule, TargetPolicy(target=80, jitter=3.0), seed="charts-extreme")
    for batch in batches(sim.events, 200):
        session_ingest_events(session=session, events=batch, sent_at=SENT_AT)
    session = session_complete(session=session)
    process_session.apply(args=[str(session.pk)])
    return participant.participant_code


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[tuple[Any, str]]:  # type: ignore[no-untyped-def]
    """A committed study: 8 simulated participants (one still playing), one extreme player, a viewer."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from tenants.membership import membership_grant
    from tests.dashboard.support import simulated_participants

    with django_db_blocker.unblock(), dedicated_study("charts", title="Charts") as study:
        with tenant_context(study):
            sessions = simulated_participants(8, seed="charts", leave_open=1)
            assert sessions[0].status == "processed"
            code = _an_extreme_player()
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        membership_grant(study=study, user=user, role="viewer")
        try:
            yield study, code
        finally:
            user.delete()


@pytest.fixture(scope="module")
def browser(study) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _assert_text_readable(page: Any) -> None:
    texts = page.evaluate(TEXTS_JS)
    assert len(texts) > 20, texts
    small = [t for t in texts if t["px"] < MIN_TEXT_PX or t["across"] < MIN_TEXT_PX]
    assert not small, small[:10]


def _assert_tick_labels_visible_and_uniform(page: Any) -> None:
    axes = page.evaluate(AXES_JS)
    assert axes, "no axis drawn"
    for axis in axes:
        labels = axis["labels"]
        where = f"{axis['chart']} / {axis['axis']}"
        assert labels, where
        assert all(label["inside"] for label in labels), (where, labels)
        matches = [NUMBER.match(label["text"]) for label in labels]
        assert all(matches), (where, [label["text"] for label in labels])
        assert len({m.group(1) and len(m.group(1)) for m in matches}) == 1, (where, [lb["text"] for lb in labels])
        if axis["axis"] in ("x", "z", "time"):  # side by side: no two may overlap
            ordered = sorted(labels, key=lambda lb: lb["left"])
            assert all(a["right"] <= b["left"] for a, b in itertools.pairwise(ordered)), (where, ordered)


def _open_data_table(page: Any, figure: Any) -> None:
    table = figure.locator("details table").first
    expect(table).to_be_hidden()
    figure.locator("summary", has_text="Data table").click()
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_be_visible()
    assert table.locator("th[scope=col]").count() >= 2 and table.locator("tbody th[scope=row]").count() >= 1


@pytest.mark.parametrize(("width", "viewport"), [(1280, DESKTOP), (390, PHONE)])
def test_the_charts_are_readable_and_open_their_data_tables(
    browser,
    live_app_server,  # noqa: F811
    study,
    width,
    viewport,
):
    study, code = study
    base = live_app_server.study_url(study.slug)
    touch = viewport["width"] < 500
    # The page's own CSP is enforced here: an inline style would be refused and reported.
    context = browser.new_context(viewport=viewport, is_mobile=touch, has_touch=touch)
    page = context.new_page()
    problems = watch_console(page, ignore_missing_favicon=True)

    sign_in(page, base, "/dashboard/", USERNAME, PASSWORD)
    charts = page.locator("figure.rp-chart")
    assert charts.count() == 3 + 5  # funnel, two distributions, five trait dimensions
    for i in range(charts.count()):  # every chart states its n
        expect(charts.nth(i).locator("svg text.rp-n")).to_have_text(re.compile(r"^n = \d+ \w+$"))
    expect(page.locator("svg text.rp-n").first).to_have_text("n = 9 participants")
    risk = page.locator("figure.rp-chart", has_text="Risk tolerance")
    # The extreme player is counted at the +3 edge; the axis still ends at +3.
    expect(risk.locator("svg text.rp-beyond")).to_have_text("1 beyond +3 \u25b8")
    expect(risk.locator("g.rp-axis[data-axis=x] text").last).to_have_text("+3")
    _assert_text_readable(page)
    _assert_tick_labels_visible_and_uniform(page)
    _open_data_table(page, charts.first)  # the funnel: its stages with counts
    expect(charts.first.locator("tbody tr").first).to_contain_text("consented")
    trait = page.locator("figure.rp-chart", has_text="Change over the game")
    _open_data_table(page, trait)
    expect(trait.locator("tbody th[scope=row]").last).to_have_text("beyond +3")
    assert_no_sideways_scroll(page)
    screenshot(page, f"dashboard-charts-{width}", full_page=True)

    page.goto(f"{base}/dashboard/participants/{code}/")
    profile = page.locator("#h-profile").locator("xpath=..").locator("figure.rp-chart")
    assert profile.count() == 5
    expect(profile.first.locator("svg text.rp-n")).to_have_text("n = 30 balloons")
    expect(profile.first.locator("svg text.rp-beyond")).to_have_text(re.compile(r"^\+\d\.\d\d is beyond \+3$"))
    replay = page.locator(".rp-replay figure.rp-chart")
    expect(replay.locator("svg text.rp-n")).to_have_text("n = 30 balloons")
    _assert_text_readable(page)
    _assert_tick_labels_visible_and_uniform(page)
    _open_data_table(page, profile.first)
    _open_data_table(page, replay)
    assert replay.locator("details table").first.locator("tbody tr").count() == 30
    assert_no_sideways_scroll(page)  # the replay scrolls inside its own box on a phone
    # The model parameters' notes read as text at every width, never a column one word wide.
    rows = page.locator("section[aria-labelledby=h-models] tbody tr")
    note = rows.filter(has_text="not identified").first.locator("td").last
    expect(note).to_be_visible()
    expect(note).to_contain_text("This session: not identified from one session")
    box = note.bounding_box()
    assert box and box["width"] >= 280, box
    screenshot(page, f"participant-profile-{width}", full_page=True)

    assert problems == [], problems
    # The watch is not vacuous: an inline style set now is refused and reported like any other.
    page.evaluate("() => document.body.setAttribute('style', 'outline: 1px solid red')")
    page.wait_for_timeout(200)
    assert any("style" in p for p in problems), problems
    context.close()

    # axe-core needs the CSP bypassed to be injected: a second context, tables open.
    context = new_context(browser, viewport)
    page = context.new_page()
    sign_in(page, base, "/dashboard/", USERNAME, PASSWORD)
    for summary in page.locator("summary").all():
        summary.click()
    assert_accessible(page)
    page.goto(f"{base}/dashboard/participants/{code}/")
    for summary in page.locator("summary").all():
        summary.click()
    assert_accessible(page)
    context.close()
