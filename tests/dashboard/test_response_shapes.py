"""The export jobs list answers exactly what the OpenAPI schema declares (same keys, same order)."""

from __future__ import annotations

from tests.conftest import api_client_for
from tests.schema_support import assert_body_matches_schema, declared_keys

ALPHA = "alpha.localhost"


def test_the_export_jobs_list_is_its_schema(cast, in_alpha, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api_client_for(cast["analyst"], ALPHA)
    assert client.post("/api/v1/export/jobs/", {"format": "csv"}, format="json").status_code == 202
    listed = client.get("/api/v1/export/jobs/")
    assert_body_matches_schema(listed, host=ALPHA, path="/api/v1/export/jobs/", method="get")
    # Each row is the job's own schema (ExportJobOutput), as GET /export/jobs/{id}/ answers it.
    row = listed.json()["results"][0]
    assert list(row) == declared_keys(ALPHA, "/api/v1/export/jobs/{job_id}/", "get", 200)
