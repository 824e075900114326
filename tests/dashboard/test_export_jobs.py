"""Large exports as a Celery task: progress, a file under MEDIA_ROOT/exports/<schema>/, a checked download."""

from __future__ import annotations

import pytest

from tests.conftest import api_client_for
from tests.dashboard.support import simulated_participants

ALPHA = "alpha.localhost"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_export_job_writes_the_same_file_as_the_download_and_serves_it_to_analysts(
    cast, in_alpha, media, django_capture_on_commit_callbacks
):
    from audit.models import AuditEntry

    simulated_participants(2, balloons=5, process=False)
    client = api_client_for(cast["analyst"], ALPHA)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/export/jobs/", {"format": "hbayesdm"}, format="json")
    assert created.status_code == 202 and created.json()["status"] == "queued"
    job = client.get(f"/api/v1/export/jobs/{created.json()['id']}/").json()
    assert (job["status"], job["progress"], job["rows_written"]) == ("done", 1.0, 10)
    assert job["versions"]["event_schema"] == "bart-events/1"
    files = list((media / "exports" / in_alpha.schema_name).iterdir())
    assert [f.name for f in files] == [f"{job['id']}-hbayesdm.txt"]
    download = client.get(job["download_url"])
    assert download.status_code == 200
    streamed = client.get("/api/v1/export/?format=hbayesdm")
    assert b"".join(download.streaming_content) == b"".join(streamed.streaming_content)
    assert AuditEntry.objects.filter(event="export", additional_data__job=job["id"]).exists()
    # A viewer may see the dashboard but not take the data.
    assert api_client_for(cast["viewer"], ALPHA).get(job["download_url"]).status_code == 403


def test_the_exports_page_lists_jobs_with_their_progress_and_links(cast, in_alpha, media):
    from django.test import Client

    from dashboard.services import export_job_create

    export_job_create(acting_user=cast["analyst"], export_format="psychds")
    client = Client(HTTP_HOST=ALPHA)
    client.force_login(cast["analyst"])
    page = client.get("/dashboard/exports/").content.decode()
    assert "psychds" in page and "Queued" in page and "<progress" in page
    for fmt in ("csv", "balloons", "hbayesdm", "psychds"):
        assert f"/api/v1/export/?format={fmt}" in page


def test_the_task_says_running_and_the_total_first_then_reports_rows_as_it_goes(
    cast, in_alpha, media, settings, monkeypatch
):
    """What a polling page sees between reports: running, the total known, rows written rising."""
    from dashboard import tasks
    from dashboard.models import ExportJob
    from dashboard.services import export_job_create

    simulated_participants(2, balloons=5, process=False)
    settings.EXPORT_PROGRESS_EVERY = 3
    settings.EXPORT_TEST_PROGRESS_DELAY_SECONDS = 0.001  # the hook where the row is read below
    job = export_job_create(acting_user=cast["analyst"], export_format="balloons")
    seen: list[tuple[str, int, int]] = []

    def look(_: float) -> None:
        seen.append(tuple(ExportJob.objects.filter(pk=job.pk).values_list("status", "rows_total", "rows_written")[0]))

    monkeypatch.setattr(tasks.time, "sleep", look)
    tasks.export_job_run.apply(args=[str(job.pk)])
    assert seen == [("running", 10, 3), ("running", 10, 6), ("running", 10, 9), ("running", 10, 10)]
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.rows_total, job.progress) == ("done", 10, 10, 1.0)


def test_a_job_that_fails_while_counting_is_marked_failed_with_its_error(cast, in_alpha, media, monkeypatch):
    from dashboard import exports
    from dashboard.models import ExportJob
    from dashboard.services import export_job_create
    from dashboard.tasks import export_job_run

    job = export_job_create(acting_user=cast["analyst"], export_format="csv")

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(exports, "count_rows", broken)
    with pytest.raises(RuntimeError):
        export_job_run.apply(args=[str(job.pk)])
    job = ExportJob.objects.get(pk=job.pk)
    assert (job.status, job.error) == ("failed", "RuntimeError")
    client = api_client_for(cast["analyst"], ALPHA)
    shown = client.get(f"/api/v1/export/jobs/{job.pk}/").json()
    assert (shown["status"], shown["error"], shown["download_url"]) == ("failed", "RuntimeError", None)
