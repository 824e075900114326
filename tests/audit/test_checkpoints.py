"""#18 finding 7: a database owner can no longer rewrite, "redact" or cut off audit entries unseen.

Before: the hashes had no key, the redaction path accepted any UPDATE that set
`audit.redaction='on'` and `redacted_at` (a redacted entry's content was not verified), and a
truncation of the newest entries left a valid chain. Each attack here is done the way a database
owner would do it (triggers switched off where they stand in the way, hashes recomputed).
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import chain
from audit.checkpoints import checkpoint_create, checkpoint_problems, checkpoints_export
from audit.models import AuditCheckpoint, AuditEntry
from audit.redaction import redact_entries
from audit.services import audit_event
from audit.signing import Signer
from audit.verification import verify_current_schema, verify_schema_full


def _entries(n: int) -> None:
    for i in range(n):
        audit_event(action="test.checkpoint", details={"i": i, "note": f"entry {i}"})


def _as_owner(sql: str, params: list | None = None) -> None:
    """What the database owner can do: triggers off for this session, then plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
        cursor.execute("SET LOCAL session_replication_role = origin")


def _rehash_from(seq: int) -> None:
    """Recompute every hash from ``seq`` on, as a forger would after changing an entry."""
    prev = AuditEntry.objects.filter(seq=seq - 1).values_list("entry_hash", flat=True).first() or chain.GENESIS_HASH
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        fields = chain.field_hashes(entry.chain_content())
        digest = chain.fields_digest(fields)
        new = chain.entry_hash(prev, digest, chain.CHAIN_FORMAT_2)
        _as_owner(
            "UPDATE audit_auditentry SET prev_hash = %s, field_hashes = %s::jsonb, content_hash = %s, entry_hash = %s"
            " WHERE id = %s",
            [prev, json.dumps(fields), digest, new, entry.pk],
        )
        prev = new


@pytest.fixture
def trail(in_alpha):
    _entries(6)
    return in_alpha


def test_a_redaction_may_blank_only_the_personal_fields(trail):
    target = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:  # the guarded path itself, not the triggers switched off
        cursor.execute("SET LOCAL audit.redaction = 'on'")
        cursor.execute("UPDATE audit_auditentry SET cid = 'forged', redacted_at = now() WHERE id = %s", [target.pk])
    verdict = verify_current_schema()
    assert not verdict.intact and verdict.first_broken_seq == target.seq
    assert "not a field redaction may change" in verdict.problem


def test_a_redaction_may_not_write_new_content_into_a_personal_field(trail):
    target = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.redaction = 'on'")
        cursor.execute(
            "UPDATE audit_auditentry SET reason = 'approved by the officer', redacted_at = now() WHERE id = %s",
            [target.pk],
        )
    verdict = verify_current_schema()
    assert not verdict.intact and "'reason'" in verdict.problem


def test_the_real_redaction_still_verifies(trail):
    target = AuditEntry.objects.order_by("seq")[3]
    assert redact_entries({target.pk}, code="P-NONE-0000") == [target.seq]
    verdict = verify_current_schema()
    assert verdict.intact and verdict.redacted == 1


def test_a_rewritten_chain_fails_against_its_signed_checkpoint(trail):
    assert checkpoint_create() is not None
    target = AuditEntry.objects.order_by("seq")[2]
    _as_owner("UPDATE audit_auditentry SET additional_data = '{\"i\": 99}'::jsonb WHERE id = %s", [target.pk])
    _rehash_from(target.seq)
    assert verify_current_schema().intact  # the hashes alone no longer notice
    result = verify_schema_full(connection.schema_name)
    assert not result["intact"]
    assert any("chain rewritten" in p for p in result["checkpoint_problems"])


def test_cutting_off_the_newest_entries_is_detected_even_with_the_checkpoints_deleted(trail, tmp_path):
    checkpoint_create()
    kept = tmp_path / "alpha-checkpoints.json"
    kept.write_text(json.dumps(checkpoints_export()))  # what the compliance officer keeps
    head = AuditEntry.objects.order_by("-seq").first().seq
    _as_owner("DELETE FROM audit_auditentry WHERE seq > %s", [head - 2])
    assert verify_current_schema().intact  # a shorter chain is still a chain
    assert any("entries cut off" in p for p in checkpoint_problems())
    _as_owner("DELETE FROM audit_auditcheckpoint")
    assert checkpoint_problems() == []  # nothing left in the database to compare with...
    with pytest.raises(CommandError):  # ...but the kept copy says what happened
        call_command("verify_audit", "--study", "alpha", "--checkpoints", str(kept))


def test_a_checkpoint_signed_with_another_key_is_refused(trail):
    row = checkpoint_create()
    forger = Signer.from_setting("A" * 43 + "=")
    body = row.signed()
    body.pop("signature")
    _as_owner("UPDATE audit_auditcheckpoint SET signature = %s WHERE id = %s", [forger.sign(body), row.pk])
    assert any("signature does not verify" in p for p in checkpoint_problems())


def test_checkpoints_chain_and_skip_an_unmoved_head(trail):
    first = checkpoint_create()
    assert checkpoint_create() is None  # nothing new to sign
    _entries(1)
    second = checkpoint_create()
    assert (first.number, second.number) == (1, 2) and second.seq > first.seq
    assert checkpoint_problems() == []
    with pytest.raises(Exception):  # noqa: B017 - the database refuses it (append-only trigger)
        AuditCheckpoint.objects.filter(pk=first.pk).update(seq=1)


def test_overlapping_and_partial_exports_verify_an_intact_chain(trail, tmp_path):
    """Every export holds every checkpoint so far; several kept files, or a later part, are fine."""
    checkpoint_create()
    older = checkpoints_export()
    _entries(2)
    checkpoint_create()
    newer = checkpoints_export()
    partial = {**newer, "checkpoints": newer["checkpoints"][1:]}
    files = []
    for name, data in (("older", older), ("newer", newer), ("partial", partial)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data))
        files += ["--checkpoints", str(path)]
    call_command("verify_audit", "--study", "alpha", *files)  # raises CommandError when broken
    gap = {**newer, "checkpoints": [newer["checkpoints"][0], {**newer["checkpoints"][1], "number": 3}]}
    assert checkpoint_problems(gap["checkpoints"])  # a renumbered checkpoint no longer verifies
