"""The deletion-request page costs the same number of queries for 3 requests as for 10."""

from __future__ import annotations

from tests.conftest import enrolled, queries_of_get, signed_in


def test_the_deletion_request_page_does_not_grow_queries_with_requests(alpha, alpha_client, cast):
    page = signed_in(cast["manager"], alpha.domain_name)
    for _ in range(3):
        alpha_client.post("/api/v1/me/deletion-request/", **enrolled(alpha, alpha_client).auth)
    few = queries_of_get(page, "/manage/deletion-requests/")
    for _ in range(7):
        alpha_client.post("/api/v1/me/deletion-request/", **enrolled(alpha, alpha_client).auth)
    assert queries_of_get(page, "/manage/deletion-requests/") == few
