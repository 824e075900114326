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
