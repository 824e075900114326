"""The export job list (API and page) costs the same number of queries for 3 jobs as for 10."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from dashboard.services import export_job_create
from tests.conftest import api_client_for, queries_of_get, signed_in


def _jobs(study, analyst, n: int) -> None:
    with tenant_context(study):
        for i in range(n):
            export_job_create(acting_user=analyst, export_format=("csv", "hbayesdm")[i % 2])


def test_the_export_jobs_do_not_grow_queries_with_jobs(cast, alpha):
    api = api_client_for(cast["analyst"], alpha.domain_name)
    page = signed_in(cast["analyst"], alpha.domain_name)
    _jobs(alpha, cast["analyst"], 3)
    few = (queries_of_get(api, "/api/v1/export/jobs/"), queries_of_get(page, "/dashboard/exports/"))
    _jobs(alpha, cast["analyst"], 7)
    assert len(api.get("/api/v1/export/jobs/").json()["results"]) == 10
    many = (queries_of_get(api, "/api/v1/export/jobs/"), queries_of_get(page, "/dashboard/exports/"))
    assert many == few


def _streamed_queries(client, path: str) -> tuple[int, int]:
    """(queries, bytes) of a streamed download, read to its end inside the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
        size = len(b"".join(response.streaming_content))
    return len(queries), size


def test_the_exports_do_not_grow_queries_with_participants(cast, in_alpha):
    from tests.dashboard.support import simulated_participants

    api = api_client_for(cast["analyst"], in_alpha.domain_name)
    formats = ("csv", "balloons", "hbayesdm")
    simulated_participants(3, balloons=3, process=False)
    few = [_streamed_queries(api, f"/api/v1/export/?format={f}") for f in formats]
    simulated_participants(7, seed="more", balloons=3, process=False)
    many = [_streamed_queries(api, f"/api/v1/export/?format={f}") for f in formats]
    assert all(m[1] > f[1] for m, f in zip(many, few, strict=True))  # the files did grow
    assert [m[0] for m in many] == [f[0] for f in few]
