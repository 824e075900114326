"""The participant's result page in Debian's Chromium at 390 and 1280 px, in a study without norms yet:
what they did in plain words with the study's own numbers (a 64-pump balloon here), visible; no place
out of 100 and no chart against the placeholder; nothing wider than the screen; axe-core clean;
screenshots docs/screenshots/participant-result-{phone,desktop}.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
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
)
from tests.committed import dedicated_study
from tests.live import live_app_server  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CONFIG = {"balloons_per_color": 30, "colors": [{"color": "blue", "max_pumps": 64}]}


@pytest.fixture(scope="module")
def played(django_db_setup, django_db_blocker) -> Iterator[tuple[Any, str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """A committed study whose one participant has played a whole session, processed: (study, token, profile)."""
    from games.simulate import TargetPolicy, batches, simulate_session
    from tests.games.support import enrol_gamer
    from traits.models import TraitProfile

    with django_db_blocker.unblock(), dedicated_study("results", title="Decisions under risk", game_config=CONFIG) as s:
        gamer = enrol_gamer(s)
        started = gamer.start()
        sim = simulate_session(started["balloons"], TargetPolicy(target=20.0, jitter=6.0), seed=started["session_id"])
        for batch in batches(sim.events, 200):
            sent = gamer.send(started["session_id"], batch)
            assert sent.status_code == 200 and sent.json()["accepted"] == len(batch), sent.content
        assert gamer.post(f"/api/v1/game/sessions/{started['session_id']}/complete/").status_code == 202
        with tenant_context(s):
            profile = TraitProfile.objects.get(session_id=started["session_id"])  # eager Celery: processed now
            dims = {d["key"]: d for d in profile.dimensions}
        yield s, gamer.token, dims


@pytest.fixture(scope="module")
def browser(played) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_result_page_shows_what_the_participant_did_in_plain_words(
    played,
    browser,
    live_app_server,  # noqa: F811
    device,
) -> None:
    study, token, dims = played
    base = live_app_server.study_url(study.slug)
    context = new_context(browser, PHONE if device == "phone" else DESKTOP)
    context.add_cookies([{"name": "participant_token", "value": token, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/results/")
    expect(page.get_by_role("heading", name="Your results", level=1)).to_be_visible()

    risk = dims["risk_tolerance"]["facts"]
    sentence = (
        f"You pumped {risk['mean_pumps']:.0f} times on average on the balloons you collected; "
        "a balloon could take up to 64 pumps."
    )
    expect(page.get_by_text(sentence)).to_be_visible()
    expect(page.get_by_text(re.compile(r"does not have enough participants yet"))).to_be_visible()
    pace = dims["decision_pace"]["facts"]["median_ms"] / 1000
    expect(page.get_by_text(f"The typical time between two pumps was {pace:.2f} seconds.")).to_be_visible()
    for heading in ("Risk tolerance", "Reaction to loss", "Decision pace", "Consistency", "Change over the game"):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    expect(page.get_by_text("“more cautious after a loss” and “more daring after a loss”", exact=False)).to_be_visible()

    # No position against the placeholder: no chart, no "of 100", no "reference group" anywhere on the page.
    body = page.locator("main").inner_text()
    assert "of 100" not in body and "reference group" not in body and "percentile" not in body.lower()
    expect(page.locator("main svg")).to_have_count(0)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, f"participant-result-{device}", full_page=True)
    context.close()
