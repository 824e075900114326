"""End to end in Debian's Chromium: a researcher signs in, sees the dashboard populated by simulated
participants, opens a participant's replay and downloads every export; screenshots go to docs/screenshots/.

The data are committed in a dedicated study (`dash-e2e`) through the real services, since the server
runs in another process (tests/live.py); nothing here uses transactional_db.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from tests.browser_support import chromium, sign_in
from tests.live import ROOT, ensure_live_study, start_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SLUG = "dash-e2e"
USERNAME, PASSWORD = "e2e_analyst", "pw-e2e-analyst-123"
# Test runs write to var/ (ignored); UPDATE_SCREENSHOTS=1 refreshes the committed docs/screenshots/.
SHOTS = ROOT / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") else "var") / "screenshots"


@pytest.fixture(scope="module")
def populated(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The committed study with 8 simulated participants (one still playing) and an analyst."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from games.models import GameSession
    from tenants.membership import membership_grant
    from tests.dashboard.support import simulated_participants

    with django_db_blocker.unblock():
        study = ensure_live_study(SLUG)
        with tenant_context(study):
            if not GameSession.objects.exists():
                simulated_participants(8, seed="e2e", leave_open=1)
        user = get_user_model().objects.filter(username=USERNAME).first()
        if user is None:
            user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
            membership_grant(study=study, user=user, role="analyst")
        server = start_live_server()
    yield server
    with django_db_blocker.unblock():  # the teardown may touch the connection (health check)
        server.stop()


@pytest.fixture(scope="module")
def page(populated):  # type: ignore[no-untyped-def]
    with chromium(close_connections=False) as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        base = populated.study_url(SLUG)
        sign_in(page, base, "/dashboard/", USERNAME, PASSWORD)
        yield page


def test_the_researcher_sees_the_dashboard_populated_by_simulated_participants(page):
    assert page.locator("h1").inner_text() == "Dashboard"
    funnel = page.locator("svg desc").first.text_content()
    # Processed counts the flagged too; how many the pipeline flags depends on the simulated play.
    assert funnel.startswith("consented: 8; started: 8; completed: 7; processed: 7; flagged: "), funnel
    assert page.locator("#h-progress").inner_text().endswith("1")
    assert "Histogram of 7 values of adjusted average pumps" in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)


def test_the_researcher_opens_a_participants_replay(page):
    page.click("nav >> text=Participants")
    assert page.locator("tbody tr").count() == 8
    page.locator("tbody tr td a").last.click()  # the first to join: a completed session
    page.wait_for_selector(".rp-replay svg")
    description = page.locator(".rp-replay svg desc").text_content()
    assert description.startswith("30 balloons over") and "2 hidden periods" in description
    assert page.locator(".rp-replay svg circle").count() == 30  # every balloon ended: cash-out or pop
    page.screenshot(path=str(SHOTS / "participant-replay.png"), full_page=True)


def _download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    path = info.value.path()
    return Path(path).read_bytes()


def test_the_researcher_downloads_each_export(page):
    page.click("nav >> text=Exports")
    page.screenshot(path=str(SHOTS / "exports.png"), full_page=True)
    trials = _download(page, "a[data-format=csv]").decode()
    assert trials.startswith("participant,session,condition,flow_version,flow_session,trial_index,event_type")
    balloons = list(csv.DictReader(io.StringIO(_download(page, "a[data-format=balloons]").decode())))
    assert len(balloons) == 7 * 30  # seven whole sessions; the open one is left out by default
    hbayesdm = _download(page, "a[data-format=hbayesdm]").decode().splitlines()
    assert hbayesdm[0].startswith("subjID\tpumps\texplosion\t") and len(hbayesdm) == 1 + len(balloons)
    archive = zipfile.ZipFile(io.BytesIO(_download(page, "a[data-format=psychds]")))
    description = json.loads(archive.read("dataset_description.json"))
    assert description["@type"] == "Dataset" and description["variableMeasured"]
    assert sum(name.startswith("data/study-dashe2e_subject-") for name in archive.namelist()) == 7


def test_the_researcher_runs_an_export_job_and_downloads_its_file(page):
    page.select_option("#id_format", "hbayesdm")
    page.click("text=Start export")
    page.wait_for_selector("text=Download")
    body = _download(page, "td >> text=Download").decode().splitlines()
    assert body[0].startswith("subjID\tpumps\texplosion\t") and len(body) == 1 + 7 * 30
