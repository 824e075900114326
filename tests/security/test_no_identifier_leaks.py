"""A distinctive external id goes through the whole flow; it must never reach a log, a page or a table.

All loggers are captured at DEBUG, with SQL logging forced on (the worst case an operator could
switch on): the id may appear only in the manager's audited re-identification response and in the
participant's own, audited data export (the contract: "identifiers shown only to their owner").
"""

from __future__ import annotations

import logging

from django.db import connection

from tests.security.flow import run_full_flow

MARKER = "ZQXJ7LEAKPROBE93"


def _all_text_tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def _tables_holding(marker: str, schemas: list[str]) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for schema in schemas:
            for table in _all_text_tables(schema):
                cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}" t WHERE t::text ILIKE %s', [f"%{marker}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{schema}.{table}")
    return found


def test_an_external_id_never_reaches_logs_pages_or_tables(alpha, cast, caplog, settings):
    settings.RATE_LIMITS_ENABLED = False
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    try:
        responses = run_full_flow(study=alpha, cast=cast, external_id=MARKER)
    finally:
        connection.force_debug_cursor = False

    steps = dict(responses)
    assert steps["consent submit"].status_code == 303
    assert steps["api consent"].status_code == 201  # the id again: a duplicate enrolment (#18 finding 1)
    assert steps["api consent bad id"].status_code == 400 and steps["bad link"].status_code == 400
    assert steps["reidentify"].json()["external_id"] == MARKER  # the flow did carry the id
    assert steps["game start"].status_code == 201 and steps["game complete"].status_code == 202
    accepted = sum(r.json()["accepted"] for step, r in responses if step == "game events")
    assert accepted > 10
    # After withdrawal the id enrols a new duplicate participant: no 409 that tells who withdrew.
    assert steps["withdraw"].status_code == 200 and steps["after withdrawal"].status_code == 201

    assert len(caplog.records) > 50  # SQL logging really was on
    for record in caplog.records:
        text = record.getMessage() + str(record.args) + (record.exc_text or "")
        assert MARKER.lower() not in text.lower(), f"{record.name} logged the id"
    if "own data" in steps:
        assert steps["own data"].json()["participant"]["external_id"] == MARKER  # to its owner only
        assert steps["own data"]["Cache-Control"] == "no-store"
    for step, response in responses:
        if step in {"reidentify", "own data"}:
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert MARKER.lower() not in content.decode(errors="replace").lower(), f"{step} echoed the id"
        assert MARKER not in str(response.headers)
    assert _tables_holding(MARKER, [alpha.schema_name, "public"]) == []
