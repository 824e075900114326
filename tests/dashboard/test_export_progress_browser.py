"""An analyst starts a background export in Chromium and watches it: the progress bar and "n / total
rows" move without a reload, the status and the live region say when it is done, the Download link
appears and gives the file. At 1280 and 390 px, with the page's CSP enforced, then axe.

The job runs in a real Celery worker (its own Redis queue) against a committed study, so progress is
written by another process as it would be in production; the worker reports every 20 rows and pauses
after each report (test settings EXPORT_PROGRESS_EVERY, EXPORT_TEST_PROGRESS_DELAY_SECONDS) so that a
once-a-second poll sees the bar between empty and full. A failed job is written from the test itself
(committed on a connection of its own): the page shows the error and stops asking.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
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
    sign_in,
    watch_console,
)
from tests.committed import INTEG_REDIS_URL, _forget_queue, dedicated_study, new_queue_name, worker_env
from tests.live import start_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME, PASSWORD = "progress_analyst", "pw-progress-analyst-123"
FINISHED = 5  # finished sessions of 30 balloons; one more participant is still playing
ROWS = FINISHED * 30  # hBayesDM rows by default: finished sessions only


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple[Any, Any]]:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from research_platform.services_config import redis_reachable
    from tenants.membership import membership_grant
    from tests.dashboard.support import simulated_participants

    if not redis_reachable(INTEG_REDIS_URL):
        pytest.skip("a real worker needs Redis")
    queue = new_queue_name()
    env = {
        **worker_env(INTEG_REDIS_URL, queue),
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "EXPORT_PROGRESS_EVERY": "20",
        "EXPORT_TEST_PROGRESS_DELAY_SECONDS": "0.5",
    }
    with django_db_blocker.unblock(), dedicated_study("progress", title="Progress") as study:
        with tenant_context(study):
            simulated_participants(FINISHED + 1, seed="progress", leave_open=1, process=False)
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        membership_grant(study=study, user=user, role="analyst")
        live = start_live_server(with_worker=True, extra_env=env)
        try:
            yield live, study
        finally:
            live.stop()
            _forget_queue(INTEG_REDIS_URL, queue)
            user.delete()


@pytest.fixture(scope="module")
def browser(server) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _start(page: Any, fmt: str) -> Any:
    page.select_option("#id_format", fmt)
    expect(page.locator("#id_finished_only")).to_be_checked()  # the analysis format's default, set by the page
    page.click("button:has-text('Start export')")
    page.wait_for_url(re.compile(rf".*/dashboard/exports/\?format={fmt}$"))
    expect(page.locator(".rp-messages")).to_contain_text("Export started")
    expect(page.locator("#id_format")).to_have_value(fmt)  # the form stays on the format just used
    expect(page.locator("#id_finished_only")).to_be_checked()
    return page.locator("tr[data-job]").first  # newest first


def _watch_progress(page: Any, row: Any, timeout: float = 60.0) -> list[tuple[int, int]]:
    """The "n / total rows" the page shows, sampled until the job is done (no reload in between)."""
    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # One read of both texts: two reads could straddle an update (rows before it, "Done" after).
        rows, status = row.evaluate(
            "r => [r.querySelector('.rp-job-rows').innerText, r.querySelector('.rp-job-status').innerText]"
        )
        match = re.fullmatch(r"(\d+) / (\d+) rows", rows.strip())
        assert match, row.inner_text()
        value = (int(match.group(1)), int(match.group(2)))
        if not seen or seen[-1] != value:
            seen.append(value)
        if status.strip() == "Done":
            return seen
        page.wait_for_timeout(150)
    raise AssertionError(f"the export was not done after {timeout:.0f} s; seen {seen}")


@pytest.mark.parametrize(("width", "viewport"), [(1280, DESKTOP), (390, PHONE)])
def test_the_analyst_watches_a_background_export_finish_and_downloads_it(browser, server, width, viewport):
    live, study = server
    base = live.study_url(study.slug)
    touch = viewport["width"] < 500
    context = browser.new_context(viewport=viewport, is_mobile=touch, has_touch=touch, accept_downloads=True)
    page = context.new_page()
    problems = watch_console(page, ignore_missing_favicon=True)
    sign_in(page, base, "/dashboard/exports/", USERNAME, PASSWORD)

    finished = page.locator("#id_finished_only")
    page.select_option("#id_format", "csv")
    expect(finished).not_to_be_checked()  # the raw event log keeps every session by default
    row = _start(page, "hbayesdm")
    page.evaluate("() => { window.notReloaded = true; }")  # gone if the page were loaded again
    expect(row.locator("td", has_text="finished sessions, pilots left out")).to_be_visible()
    expect(row.locator("progress")).to_be_visible()
    expect(row.locator(".rp-job-status")).to_have_text(re.compile(r"^(Queued|Running)$"))
    expect(row.get_by_role("link", name="Download")).to_have_count(0)

    # Mid-way: the bar and the text show part of the rows (the screenshot for the docs).
    expect(row.locator(".rp-job-rows")).to_have_text(re.compile(rf"^([1-9]\d*) / {ROWS} rows$"), timeout=30_000)
    expect(row.locator(".rp-job-status")).to_have_text("Running")
    row.scroll_into_view_if_needed()
    screenshot(page, f"exports-progress-{width}", full_page=False)
    seen = _watch_progress(page, row)

    assert seen[-1] == (ROWS, ROWS), seen
    assert any(0 < n < ROWS for n, _ in seen), seen  # the bar moved through the middle, not 0 then done
    assert [n for n, _ in seen] == sorted(n for n, _ in seen), seen  # and only forwards
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
    bar = row.locator("progress")
    assert bar.evaluate("b => [b.value, b.max]") == [ROWS, ROWS]
    expect(page.locator("#export-announce")).to_have_text("The hbayesdm export is done: its Download link is ready.")
    expect(page.locator("#export-announce")).to_be_visible()
    link = row.get_by_role("link", name="Download")
    expect(link).to_be_visible()
    expect(row.locator(".rp-job-size")).to_have_text(re.compile(r"^\d+(\.\d)?\s(bytes|KB)$"))
    link.scroll_into_view_if_needed()
    assert in_viewport(page, link)
    screenshot(page, f"exports-done-{width}", full_page=False)
    screenshot(page, f"exports-page-{width}", full_page=True)

    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == f"{study.slug}_hbayesdm.txt"
    lines = Path(info.value.path()).read_text().splitlines()
    assert lines[0] == "subjID\tpumps\texplosion\tparticipant\tsession\tcolor\tcondition\tflow_version\tflow_session"
    assert len(lines) == 1 + ROWS
    assert all(re.fullmatch(r"P-[0-9A-Z]{4}-[0-9A-Z]{4}_s1_blue", line.split("\t")[0]) for line in lines[1:])
    assert_no_sideways_scroll(page)
    assert problems == [], problems
    context.close()

    # axe-core needs the CSP bypassed to be injected: a second context on the same page, jobs listed.
    context = new_context(browser, viewport)
    page = context.new_page()
    sign_in(page, base, "/dashboard/exports/", USERNAME, PASSWORD)
    expect(page.locator("tr[data-job]").first.get_by_role("link", name="Download")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    context.close()


def _committed(study: Any, sql: str, params: list[Any]) -> None:
    """Write in the study's schema on a connection of its own, committed at once: the test's own
    connection is inside the test transaction, which the server would never see."""
    from django.db import connections

    other = connections.create_connection("default")
    try:
        other.set_schema(study.schema_name)
        with other.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        other.close()


def test_a_job_that_fails_shows_its_error_and_the_page_stops_asking(browser, server):
    """The job's row is written from here, as a worker would, while the page polls it."""
    import uuid

    live, study = server
    job = uuid.uuid4()
    _committed(
        study,
        "INSERT INTO dashboard_exportjob (id, format, status, rows_total, rows_written, file_name, size_bytes,"
        " finished_only, include_pilots, versions, error, created_at)"
        " VALUES (%s, 'psychds', 'running', 400, 0, '', 0, true, true, '{}', '', now())",
        [job],
    )
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = watch_console(page, ignore_missing_favicon=True)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if f"/export/jobs/{job}/" in r.url else None)
    sign_in(page, live.study_url(study.slug), "/dashboard/exports/", USERNAME, PASSWORD)
    row = page.locator(f"tr[data-job='{job}']")
    expect(row.locator("td", has_text="finished sessions, pilots included")).to_be_visible()
    _committed(study, "UPDATE dashboard_exportjob SET rows_written = 100 WHERE id = %s", [job])
    expect(row.locator(".rp-job-rows")).to_have_text("100 / 400 rows")
    expect(row.locator("progress")).to_be_visible()
    failed = "UPDATE dashboard_exportjob SET status = 'failed', error = 'OperationalError' WHERE id = %s"
    _committed(study, failed, [job])
    expect(row.locator(".rp-job-status")).to_have_text("Failed")
    expect(row.locator(".rp-job-error")).to_be_visible()
    expect(row.locator(".rp-job-error")).to_contain_text("Failed: OperationalError. Start it again")
    expect(page.locator("#export-announce")).to_have_text("The psychds export failed.")
    expect(row.get_by_role("link", name="Download")).to_have_count(0)
    asked = len(requests)
    page.wait_for_timeout(2500)
    assert len(requests) == asked, "the page kept polling a job that had ended"
    assert problems == [], problems
    context.close()
