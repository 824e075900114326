"""Erasure blanks a participant's entries through the guarded path; the chain still verifies."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from audit.services import audit_access, audit_event, audit_redact_participant
from audit.verification import verify_current_schema


def test_redaction_blanks_the_participants_entries_and_keeps_the_chain_verifiable(in_alpha):
    someone = SimpleNamespace(pk=9999, participant_code="P-ERAS-0001")
    other = audit_event(action="test.other", details={"participant_code": "P-KEEP-0002"})
    audit_access(action="data_access", reason="looked at P-ERAS-0001", details={"participant_code": "P-ERAS-0001"})
    audit_event(action="test.about", details={"participant_code": "P-ERAS-0001"})
    record = audit_redact_participant(participant=someone)
    assert record.additional_data["entries"] == 2 and "P-ERAS-0001" not in str(record.chain_content())
    texts = [str(e.chain_content()) for e in AuditEntry.objects.all()]
    assert not any("P-ERAS-0001" in t for t in texts)
    assert AuditEntry.objects.get(pk=other.pk).redacted_at is None
    verdict = verify_current_schema()
    assert verdict.intact and verdict.redacted == 2


def test_the_redaction_path_cannot_touch_hash_columns(in_alpha):
    entry = audit_event(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.redaction = 'on'")
        cursor.execute("UPDATE audit_auditentry SET redacted_at = now(), event = 'x' WHERE id = %s", [entry.pk])


def _about(object_type: str, pk: str, changes: dict | None = None, details: dict | None = None) -> AuditEntry:
    entry = AuditEntry(event=f"{object_type}.update", action=1, object_type=object_type, object_pk=pk)
    entry.changes, entry.additional_data = changes, details
    entry.save()
    return entry


def test_entries_that_name_the_participant_only_by_row_id_or_by_their_rows_are_blanked_too(in_alpha):
    someone = SimpleNamespace(pk=4242, participant_code="P-ERAS-0003")
    session = "5b0c8a40-1d9e-4c59-9a53-0f0c2d1e7a11"
    record = _about("consent.consentrecord", "77", changes={"participant": ["None", "4242"], "agreed": ["", "True"]})
    later = _about("consent.consentrecord", "77", changes={"withdrawn_at": ["None", "2025-01-01"]})
    metrics = _about("traits.sessionmetrics", "9", changes={"session": ["None", session]})
    named = _about("games.gamesession", session, changes={"status": ["in_progress", "completed"]})
    event = _about("test.note", "", details={"event_id": "ev-0000-1111-2222"})
    tombstone = _about("rights.deletionrequest", "r-1", changes={"participant": ["None", "4242"]})
    other = _about("consent.consentrecord", "78", changes={"participant": ["None", "42"]})
    result = audit_redact_participant(
        participant=someone,
        objects=[("games.gamesession", session)],
        needles=["ev-0000-1111-2222"],
        exclude_types=["rights.deletionrequest"],
    )
    blanked = {e.pk for e in AuditEntry.objects.filter(redacted_at__isnull=False)}
    assert blanked == {record.pk, later.pk, metrics.pk, named.pk, event.pk}
    assert result.additional_data["entries"] == 5
    assert AuditEntry.objects.get(pk=tombstone.pk).redacted_at is None
    assert AuditEntry.objects.get(pk=other.pk).redacted_at is None  # "42" is not "4242"
    kept = AuditEntry.objects.get(pk=later.pk)
    assert (kept.event, kept.object_type, kept.object_pk, kept.changes) == (
        "consent.consentrecord.update",
        "consent.consentrecord",
        "",
        None,
    )
    verdict = verify_current_schema()
    assert verdict.intact and verdict.redacted == 5
