"""Writing and checking signed checkpoints of the audit chains (the signing itself: audit/signing.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from audit import signing
from audit.models import ADVISORY_LOCK_NAMESPACE, AuditCheckpoint, AuditEntry
from core.study import studies


def signer() -> signing.Signer:
    return signing.Signer.from_setting(settings.PLATFORM_AUDIT_SIGNING_KEY)


@transaction.atomic
def checkpoint_create() -> AuditCheckpoint | None:
    """Sign the current schema's chain head; None when the chain is empty or the head is already signed."""
    with connection.cursor() as cursor:  # the appenders' lock: the head cannot move while we sign it
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [ADVISORY_LOCK_NAMESPACE, connection.schema_name]
        )
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    last = AuditCheckpoint.objects.order_by("-number").first()
    if head is None or (last is not None and last.seq == head[0]):
        return None
    key = signer()
    row = AuditCheckpoint(
        number=(last.number + 1) if last else 1,
        seq=head[0],
        entry_hash=head[1],
        created_at=timezone.now().isoformat(timespec="seconds"),
        prev_signature=signing.signature_digest(last.signature) if last else signing.GENESIS_SIGNATURE,
        key_id=key.key_id,
    )
    body = row.signed()
    body.pop("signature")
    row.signature = key.sign(body)
    row.save()
    return row


def checkpoints_export() -> dict[str, Any]:
    """What the compliance officer keeps: the public key and every checkpoint of the current schema."""
    key = signer()
    return {
        "format": signing.CHECKPOINT_FORMAT,
        "schema": connection.schema_name,
        "public_key": key.public_key,
        "key_id": key.key_id,
        "checkpoints": [c.signed() for c in AuditCheckpoint.objects.order_by("number")],
    }


def checkpoint_problems(checkpoints: list[Mapping[str, Any]] | None = None) -> list[str]:
    """The current schema's chain against its stored checkpoints (or exported ones, when given)."""
    if checkpoints is None:
        checkpoints = [c.signed() for c in AuditCheckpoint.objects.order_by("number")]
    mine = [c for c in checkpoints if c.get("schema") == connection.schema_name]
    if not mine:
        return []
    seqs = sorted({int(c["seq"]) for c in mine})
    hashes = dict(AuditEntry.objects.filter(seq__in=seqs).values_list("seq", "entry_hash"))
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    if head is not None:
        hashes.setdefault(head[0], head[1])
    return signing.check_against_chain(mine, signer().public_key, connection.schema_name, hashes)


def checkpoint_all_schemas() -> int:
    """One new checkpoint per chain whose head moved (the platform's and each study's)."""
    made = 0
    for schema in ["public", *studies().values_list("schema_name", flat=True)]:
        with schema_context(schema):
            made += checkpoint_create() is not None
    return made
