"""The compliance console: who gets in, what each officer sees, the CSV export and chain status."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client

from audit.models import AuditEntry
from audit.services import audit_event


@pytest.fixture
def trails(cast, alpha, beta):
    for study, marker in ((alpha, "test.alpha_marker"), (beta, "test.beta_marker")):
        connection.set_tenant(study)
        audit_event(action=marker, details={"marker": marker})
        connection.set_schema_to_public()
    return cast


def _page(user, path: str, **params) -> object:
    client = Client(HTTP_HOST="localhost")
    if user is not None:
        client.force_login(user)
    return client.get(path, params)


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = _page(None, "/compliance/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("actor", ["outsider", "manager", "other_manager"])
def test_people_without_the_compliance_role_are_refused(trails, actor):
    assert _page(trails[actor], "/compliance/").status_code == 403
    assert _page(trails[actor], "/compliance/export.csv").status_code == 403


def test_an_officer_sees_only_the_studies_they_cover(trails):
    officer = trails["compliance"]
    html = _page(officer, "/compliance/").content.decode()
    assert "test.alpha_marker" in html and "test.beta_marker" not in html
    assert _page(officer, "/compliance/", study="beta").status_code == 404
    chains = _page(officer, "/compliance/chains/").content.decode()
    assert "alpha" in chains and "beta" not in chains and "BROKEN" not in chains


def test_an_officer_cannot_open_another_studys_entry(trails, beta):
    connection.set_tenant(beta)
    entry = AuditEntry.objects.get(event="test.beta_marker")
    connection.set_schema_to_public()
    assert _page(trails["compliance"], f"/compliance/entries/beta/{entry.pk}/").status_code == 404
    assert _page(trails["admin"], f"/compliance/entries/beta/{entry.pk}/").status_code == 200


def test_the_entry_page_shows_field_changes(trails, alpha):
    client = Client(HTTP_HOST="localhost")
    client.force_login(trails["manager"])
    client.patch("/api/v1/studies/alpha/", {"title": "A clearer title"}, content_type="application/json")
    entry = AuditEntry.objects.filter(event="tenants.study.update").order_by("-seq").first()
    html = _page(trails["compliance"], f"/compliance/entries/public/{entry.pk}/").content.decode()
    assert "Study alpha" in html and "A clearer title" in html and f"user:{trails['manager'].pk}" in html


def test_the_csv_export_streams_only_covered_entries_and_is_audited(trails):
    officer = trails["compliance"]
    response = _page(officer, "/compliance/export.csv")
    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["study"] for r in rows} == {"alpha"}
    assert "test.alpha_marker" in {r["action"] for r in rows}
    assert "test.beta_marker" not in {r["action"] for r in rows}
    seqs_by_chain: dict[str, list[int]] = {}
    for r in rows:
        seqs_by_chain.setdefault(r["chain"], []).append(int(r["seq"]))
    assert all(seqs == sorted(seqs) for seqs in seqs_by_chain.values())
    export = AuditEntry.objects.filter(event="audit_query").order_by("-seq").first()
    assert export.actor_id == officer.pk and export.additional_data["query"] == "export"


def test_search_filters_and_bad_input_on_the_console(trails):
    officer = trails["compliance"]
    html = _page(officer, "/compliance/", action="membership").content.decode()
    assert "membership.grant" in html and "test.alpha_marker" not in html
    bad = _page(officer, "/compliance/", since="last tuesday")
    assert bad.status_code == 200 and "Not understood" in bad.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_console_pages_are_read_only(trails, method):
    client = Client(HTTP_HOST="localhost")
    client.force_login(trails["compliance"])
    entry = AuditEntry.objects.order_by("-seq").first()
    for path in (
        "/compliance/",
        "/compliance/export.csv",
        "/compliance/chains/",
        f"/compliance/entries/public/{entry.pk}/",
    ):
        response = getattr(client, method)(path)
        assert response.status_code == 405, (method, path, response.status_code)
