"""The chain detects every kind of tampering, and the database refuses to change history."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit import chain
from audit.models import AuditEntry, AuditLogImmutableError
from audit.services import audit_access, audit_event
from audit.verification import verify_current_schema

TRIGGERS = {"pgtrigger_audit_no_delete_61ffa", "pgtrigger_audit_no_update_e9feb", "pgtrigger_audit_no_truncate_4108f"}


def _rows(n: int) -> list[chain.ChainRow]:
    rows, prev = [], chain.GENESIS_HASH
    for seq in range(1, n + 1):
        content = {"seq": seq, "event": f"e{seq}"}
        digest = chain.content_hash(content)
        entry = chain.entry_hash(prev, digest)
        rows.append(chain.ChainRow(seq, seq, prev, digest, entry, content))
        prev = entry
    return rows


def test_an_untouched_chain_verifies():
    verdict = chain.verify_rows(_rows(5))
    assert verdict.intact and verdict.entries == 5 and verdict.head_seq == 5


def test_pure_verification_names_the_first_broken_entry():
    rows = _rows(5)
    altered = [
        *rows[:2],
        chain.ChainRow(
            3, 3, rows[2].prev_hash, rows[2].content_hash, rows[2].entry_hash, {"seq": 3, "event": "forged"}
        ),
        *rows[3:],
    ]
    assert chain.verify_rows(altered).first_broken_seq == 3
    assert chain.verify_rows([*rows[:1], *rows[2:]]).first_broken_seq == 3  # entry 2 deleted
    assert chain.verify_rows([rows[0], rows[2], rows[1], *rows[3:]]).first_broken_seq == 3  # reordered
    # A redacted entry keeps the chain verifiable (its content hash stays).
    redacted = [
        *rows[:1],
        chain.ChainRow(2, 2, rows[1].prev_hash, rows[1].content_hash, rows[1].entry_hash, None),
        *rows[2:],
    ]
    verdict = chain.verify_rows(redacted)
    assert verdict.intact and verdict.redacted == 1


def _write(n: int) -> list[AuditEntry]:
    return [audit_event(action="test.event", details={"n": i}) for i in range(n)]


def test_entries_in_a_cloned_study_form_an_intact_chain(in_alpha):
    entries = _write(3)
    entries.append(audit_access(action="data_access", reason="testing", details={"participant": "P-TEST01"}))
    seqs = [e.seq for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    assert entries[1].prev_hash == entries[0].entry_hash
    assert all(e.study == "alpha" for e in entries)
    verdict = verify_current_schema()
    assert verdict.intact and verdict.head_hash == entries[-1].entry_hash


def _as_superuser(sql: str, params: list | None = None) -> None:
    """What a database superuser could do: switch the guard off, change rows, switch it on again."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def test_an_altered_entry_is_reported(in_alpha):
    entries = _write(4)
    _as_superuser("UPDATE audit_auditentry SET additional_data = '{\"n\": 99}' WHERE id = %s", [entries[2].pk])
    verdict = verify_current_schema()
    assert not verdict.intact
    assert (verdict.first_broken_seq, verdict.first_broken_pk) == (entries[2].seq, entries[2].pk)
    assert "altered" in verdict.problem


def test_a_deleted_entry_is_reported_at_the_gap(in_alpha):
    entries = _write(4)
    _as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    verdict = verify_current_schema()
    assert not verdict.intact and verdict.first_broken_seq == entries[2].seq


def test_reordered_entries_are_reported(in_alpha):
    entries = _write(4)
    a, b = entries[1], entries[2]
    _as_superuser(
        "UPDATE audit_auditentry SET seq = CASE id WHEN %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
        [a.pk, -1, -2, a.pk, b.pk],
    )
    _as_superuser("UPDATE audit_auditentry SET seq = %s WHERE seq = -1", [b.seq])
    _as_superuser("UPDATE audit_auditentry SET seq = %s WHERE seq = -2", [a.seq])
    verdict = verify_current_schema()
    assert not verdict.intact and verdict.first_broken_seq == a.seq


def test_a_rewritten_hash_is_reported(in_alpha):
    entries = _write(3)
    _as_superuser("UPDATE audit_auditentry SET entry_hash = %s WHERE id = %s", ["f" * 64, entries[0].pk])
    verdict = verify_current_schema()
    assert not verdict.intact and verdict.first_broken_seq == entries[0].seq


@pytest.mark.parametrize("study_fixture", ["in_alpha", "in_beta"])
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET event = 'forged' WHERE id = %s",
        "UPDATE audit_auditentry SET object_repr = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
        "TRUNCATE audit_auditentry",
    ],
)
def test_the_database_refuses_to_change_history_in_cloned_studies(request, study_fixture, sql):
    request.getfixturevalue(study_fixture)
    entry = audit_event(action="test.event")
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [entry.pk] if "%s" in sql else [])
    assert AuditEntry.objects.get(pk=entry.pk).event == "test.event"


def test_the_guard_is_installed_in_every_schema_including_the_template(alpha, beta):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, t.tgname, fn.nspname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid"
            " JOIN pg_namespace fn ON fn.oid = p.pronamespace"
            " WHERE c.relname = 'audit_auditentry' AND NOT t.tgisinternal AND t.tgenabled = 'O'"
        )
        found: dict[str, set[str]] = {}
        for schema, name, function_schema in cursor.fetchall():
            # A clone must call its own copy of the function, not the template's.
            assert function_schema == schema, (schema, name, function_schema)
            found.setdefault(schema, set()).add(name)
    for schema in ("public", "study_template", alpha.schema_name, beta.schema_name):
        assert found.get(schema) == TRIGGERS, schema


def test_the_orm_refuses_to_change_or_delete_entries(in_alpha):
    entry = audit_event(action="test.event")
    entry.event = "forged"
    with pytest.raises(AuditLogImmutableError):
        entry.save()
    with pytest.raises(AuditLogImmutableError):
        entry.delete()
