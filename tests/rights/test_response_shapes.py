"""The rights endpoints answer exactly what their OpenAPI schema declares (same keys, same order)."""

from __future__ import annotations

from tests.conftest import api_client_for
from tests.consent.support import bearer, enrol, publish
from tests.schema_support import assert_body_matches_schema

ALPHA = "alpha.localhost"


def test_the_deletion_workflow_bodies_are_their_schemas(alpha, alpha_client, cast, django_capture_on_commit_callbacks):
    auth = bearer(enrol(alpha_client, publish(alpha)).json()["token"])
    filed = alpha_client.post("/api/v1/me/deletion-request/", **auth)
    assert_body_matches_schema(filed, host=ALPHA, path="/api/v1/me/deletion-request/", method="post")
    state = alpha_client.get("/api/v1/me/deletion-request/", **auth)
    assert_body_matches_schema(state, host=ALPHA, path="/api/v1/me/deletion-request/", method="get")
    request_id = filed.json()["request_id"]
    client = api_client_for(cast["manager"], alpha.domain_name)
    detail_path = "/api/v1/deletion-requests/{request_id}/"
    before = client.get(f"/api/v1/deletion-requests/{request_id}/")
    assert before.json()["certificate"] is None
    assert_body_matches_schema(before, host=ALPHA, path=detail_path, method="get")
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(f"/api/v1/deletion-requests/{request_id}/execute/")
    assert queued.status_code == 202
    assert_body_matches_schema(
        queued, host=ALPHA, path="/api/v1/deletion-requests/{request_id}/execute/", method="post"
    )
    after = client.get(f"/api/v1/deletion-requests/{request_id}/")
    assert after.json()["certificate"] is not None
    assert_body_matches_schema(after, host=ALPHA, path=detail_path, method="get")
    certificate = alpha_client.get(f"/api/v1/deletion-certificates/{request_id}/")
    assert certificate.status_code == 200
    assert_body_matches_schema(
        certificate, host=ALPHA, path="/api/v1/deletion-certificates/{request_id}/", method="get"
    )
