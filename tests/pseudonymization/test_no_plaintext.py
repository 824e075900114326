"""After a full consent flow the external id is nowhere in clear: not in any column of any table of
any schema (the database is scanned, not the models), and not in the logs captured meanwhile."""

from __future__ import annotations

import base64
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from pseudonymization.models import Participant
from pseudonymization.services import participant_external_id
from tests.conftest import api_client_for
from tests.consent.support import bearer, enrol, publish

EXTERNAL_ID = "5f1aQ2b3cX4d5e6fZ7a8b9c0"


def _forms(secret: str) -> list[str]:
    """The id as text, case-folded, and as it would look hex- or base64-encoded in a bytea/JSON column."""
    raw = secret.encode()
    return [secret, secret.lower(), raw.hex(), base64.b64encode(raw).decode().rstrip("=")]


def scan_database(needles: list[str]) -> list[str]:
    """Every (schema.table.column) whose text cast contains one of ``needles``, over EVERY schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_schema, c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position)
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND t.table_type = 'BASE TABLE'
            GROUP BY c.table_schema, c.table_name
            """
        )
        tables = cursor.fetchall()
        patterns = ["%" + n.replace("%", r"\%").replace("_", r"\_") + "%" for n in needles]
        hits: list[str] = []
        for schema, table, columns in tables:
            for column in columns:
                cursor.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE ANY(%s)', [patterns]
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{schema}.{table}.{column}")
    return hits, len(tables)


def _html_consent(client: Client, query: str) -> None:
    """The browser flow: open the panel link, agree on the page (CSRF and all)."""
    html = client.get(f"/?{query}").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert client.post("/consent/", {**fields, "agree": "on"}).status_code == 303


@pytest.fixture
def full_flow(alpha, beta, alpha_client, beta_client, cast, caplog):
    """Consent by API and by the HTML form in two studies with the same panel id, use the token,
    withdraw, and re-identify; logs captured at DEBUG, SQL with its parameters included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # SQL and its parameters are logged, as with DEBUG=True
    try:
        token = enrol(alpha_client, publish(alpha), external_id=EXTERNAL_ID).json()["token"]
        enrol(alpha_client, publish(alpha, version="1.1"), external_id=EXTERNAL_ID.upper())
        publish(beta)
        _html_consent(Client(HTTP_HOST=beta.domain_name, enforce_csrf_checks=True), f"PROLIFIC_PID={EXTERNAL_ID}")
        _html_consent(
            Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True), f"workerId={EXTERNAL_ID.lower()}"
        )  # the same person again, another parameter
        alpha_client.get("/api/v1/consent/", **bearer(token))
        enrol(alpha_client, publish(alpha, version="1.2"), external_id=EXTERNAL_ID + "\x00")  # rejected: 400
        with tenant_context(alpha):  # the first of three: the later ones are duplicate enrolments
            code = Participant.objects.get(duplicate_of=None).participant_code
        manager = api_client_for(cast["manager"], alpha.domain_name)
        revealed = manager.post(
            f"/api/v1/participants/{code}/reidentify/", {"reason": "Panel payment check"}, format="json"
        )
        assert revealed.json()["external_id"] == EXTERNAL_ID  # audited read, and the audit holds no id
        assert manager.get("/api/v1/participants/").status_code == 200
        alpha_client.post(
            "/api/v1/me/withdraw/", {"reason": "changed my mind"}, content_type="application/json", **bearer(token)
        )
    finally:
        connection.force_debug_cursor = False
    return list(caplog.records)  # records of this (setup) phase


def test_no_column_of_any_table_in_any_schema_holds_the_external_id(full_flow, alpha, beta):
    hits, table_count = scan_database(_forms(EXTERNAL_ID))
    assert table_count > 20  # the scan really covered public and the study schemas
    assert hits == []
    methods = set()
    for study in (alpha, beta):  # ...and yet it is there, encrypted, for re-identification
        with tenant_context(study):
            # Every enrolment with the id holds it encrypted (later ones are duplicates of the first).
            for participant in Participant.objects.all():
                assert participant_external_id(participant=participant).lower() == EXTERNAL_ID.lower()
                methods |= set(participant.consent_records.values_list("method", flat=True))
    assert methods == {"api", "web"}


def test_the_scan_would_find_a_plaintext_id(alpha):
    with tenant_context(alpha):
        publish(alpha, body=f"A careless text that quotes {EXTERNAL_ID}.")
    hits, _ = scan_database(_forms(EXTERNAL_ID))
    assert "study_alpha.consent_consentdocument.body" in hits


def test_no_log_record_holds_the_external_id(full_flow):
    assert any("INSERT INTO" in r.getMessage() for r in full_flow)  # SQL was logged, with parameters
    logged = "\n".join(r.getMessage() + repr(r.args) for r in full_flow)
    for form in _forms(EXTERNAL_ID):
        assert form.lower() not in logged.lower()


def test_request_lines_are_logged_without_their_query_string():
    from pseudonymization.log_filters import RedactQueryStrings

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /?PROLIFIC_PID={EXTERNAL_ID}&x=1 HTTP/1.1", 200, 512),
        None,
    )
    assert RedactQueryStrings().filter(record)
    assert EXTERNAL_ID not in record.getMessage() and '"GET /?[redacted] HTTP/1.1" 200 512' == record.getMessage()
