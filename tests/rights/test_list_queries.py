"""The deletion-request page costs the same number of queries for 3 requests as for 10."""

from __future__ import annotations

from tests.conftest import enrolled, queries_of_get, signed_in
from tests.flows.support import game_sessions_flow
from tests.rights.support import play


def test_the_deletion_request_page_does_not_grow_queries_with_requests(alpha, alpha_client, cast):
    page = signed_in(cast["manager"], alpha.domain_name)
    for _ in range(3):
        alpha_client.post("/api/v1/me/deletion-request/", **enrolled(alpha, alpha_client).auth)
    few = queries_of_get(page, "/manage/deletion-requests/")
    for _ in range(7):
        alpha_client.post("/api/v1/me/deletion-request/", **enrolled(alpha, alpha_client).auth)
    assert queries_of_get(page, "/manage/deletion-requests/") == few


def test_my_data_does_not_grow_queries_with_my_sessions(alpha, alpha_client):
    # Balloons and events of every session come in one query each, not one per session.
    game_sessions_flow(alpha, count=10)  # ten games for one participant: a flow of ten sessions
    participant = enrolled(alpha, alpha_client)
    for seed in range(3):
        play(alpha_client, participant, seed=seed, balloons=2)
    few = queries_of_get(alpha_client, "/api/v1/me/data/", **participant.auth)
    for seed in range(3, 10):
        play(alpha_client, participant, seed=seed, balloons=2)
    assert len(alpha_client.get("/api/v1/me/data/", **participant.auth).json()["sessions"]) == 10
    assert queries_of_get(alpha_client, "/api/v1/me/data/", **participant.auth) == few
