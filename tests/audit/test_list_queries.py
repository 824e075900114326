"""The audit lists cost the same number of queries for 3 entries as for 10 (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection

from audit.checkpoints import checkpoint_create
from audit.context import audit_actor
from audit.services import audit_event
from tests.conftest import api_client_for, queries_of_get


def _entries_in(study, people: list, n: int, *, checkpoint: bool = False) -> None:
    """``n`` entries in the study's trail, each by another member (so every row names an actor)."""
    connection.set_tenant(study)
    for i in range(n):
        with audit_actor(people[i % len(people)]):
            audit_event(action=f"test.row_{i}", details={"row": i})
        if checkpoint:
            checkpoint_create()
    connection.set_schema_to_public()


def _members(cast) -> list:
    return [cast[role] for role in ("manager", "analyst", "viewer", "compliance")]


@pytest.mark.parametrize("on", ["platform", "study"])
def test_the_audit_search_does_not_grow_queries_with_entries(cast, alpha, on):
    client = api_client_for(cast["compliance"], "localhost" if on == "platform" else alpha.domain_name)
    _entries_in(alpha, _members(cast), 3)
    few = queries_of_get(client, "/api/v1/audit/", {"limit": 500})
    _entries_in(alpha, _members(cast), 7)
    rows = client.get("/api/v1/audit/", {"limit": 500}).json()["results"]
    assert len([r for r in rows if r["action"].startswith("test.row_")]) == 10
    assert queries_of_get(client, "/api/v1/audit/", {"limit": 500}) == few


def test_the_checkpoint_export_does_not_grow_queries_with_checkpoints(cast, alpha):
    client = api_client_for(cast["compliance"], alpha.domain_name)
    _entries_in(alpha, _members(cast), 3, checkpoint=True)
    few = queries_of_get(client, "/api/v1/audit/checkpoints/")
    _entries_in(alpha, _members(cast), 7, checkpoint=True)
    body = client.get("/api/v1/audit/checkpoints/").json()
    assert len(body["checkpoints"]) >= 10
    assert queries_of_get(client, "/api/v1/audit/checkpoints/") == few


def test_the_compliance_console_does_not_grow_queries_with_entries(cast, alpha):
    from django.test import Client

    browser = Client(HTTP_HOST="localhost")
    browser.force_login(cast["compliance"])
    _entries_in(alpha, _members(cast), 3)
    few = (queries_of_get(browser, "/compliance/", {"action": "test"}), queries_of_get(browser, "/compliance/chains/"))
    _entries_in(alpha, _members(cast), 7)
    many = (queries_of_get(browser, "/compliance/", {"action": "test"}), queries_of_get(browser, "/compliance/chains/"))
    assert many == few


def test_the_compliance_csv_does_not_grow_queries_with_entries(cast, alpha):
    from django.test import Client

    browser = Client(HTTP_HOST="localhost")
    browser.force_login(cast["compliance"])

    def streamed() -> tuple[int, int]:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = browser.get("/compliance/export.csv", {"action": "test"})
            assert response.status_code == 200
            rows = b"".join(response.streaming_content).count(b"test.row_")
        return len(queries), rows

    _entries_in(alpha, _members(cast), 3)
    few, rows = streamed()
    _entries_in(alpha, _members(cast), 7)
    many, more_rows = streamed()
    assert (rows, more_rows) == (3, 10)
    assert many == few
