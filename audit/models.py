"""The audit log entry: django-auditlog's entry, hash-chained per schema and append-only in the database.

One table per schema (public for platform-level actions, one per study). ``save`` appends under a
per-schema advisory lock, so concurrent writers never fork the chain; the database refuses UPDATE,
DELETE and TRUNCATE (triggers travel with the migration and with schema clones). The only UPDATE
it lets through is the guarded redaction path (``audit.redaction`` set, hash columns unchanged,
``redacted_at`` set): see docs/audit.md.
"""

from __future__ import annotations

import json
from typing import Any

import pgtrigger
from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from audit import chain
from audit.context import current_actor, take_pending
from core.study import current_study_slug

# Namespace of the advisory locks that serialise appends (one lock per schema): "AUDT".
ADVISORY_LOCK_NAMESPACE = 0x41554454

_HASH_COLUMNS = (
    "seq",
    "prev_hash",
    "content_hash",
    "entry_hash",
    "field_hashes",
    "timestamp",
    "event",
    "action",
    "study",
)
_REDACTION_GUARD = " OR ".join(
    [
        "current_setting('audit.redaction', true) IS DISTINCT FROM 'on'",
        "NEW.redacted_at IS NULL",
        *[f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in _HASH_COLUMNS],
    ]
)


class AuditLogImmutableError(Exception):
    """An attempt to change or delete an audit entry through the ORM."""


def _json_roundtrip(value: Any) -> Any:
    """What PostgreSQL will give back for a JSON value, so the stored value is the hashed one."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class AuditEntry(AbstractLogEntry):
    """A log entry with its place in the chain; see audit.chain for the hashing."""

    # Overridden from auditlog: no database constraint and no cascade, so deleting a user or a
    # content type never touches (and is never blocked by) history; the row keeps the ids.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_pk = models.CharField(max_length=255, blank=True, default="", db_index=True)
    object_repr = models.TextField(blank=True, default="")

    seq = models.BigIntegerField(unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)
    # Format /2: the hash of each field of chain_content(); NULL on entries written in format /1.
    field_hashes = models.JSONField(null=True, editable=False)
    # What happened, e.g. "membership.grant", "reidentify", "tenants.study.update".
    event = models.CharField(max_length=100, db_index=True)
    # The study the entry is about ("" for platform-wide entries), also in public.
    study = models.CharField(max_length=40, blank=True, default="", db_index=True)
    object_type = models.CharField(max_length=100, blank=True, default="", db_index=True)
    # Pseudonymous: "user:42", "participant:P-AB12CD", "task:traits.process_session", "system".
    actor_label = models.CharField(max_length=120, blank=True, default="", db_index=True)
    reason = models.TextField(blank=True, default="")
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-seq"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        triggers = [
            pgtrigger.Protect(name="audit_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="audit_no_update", operation=pgtrigger.Update, condition=pgtrigger.Condition(_REDACTION_GUARD)
            ),
            pgtrigger.Trigger(
                name="audit_no_truncate",
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                func="RAISE EXCEPTION 'pgtrigger: Cannot truncate the append-only audit log %', TG_TABLE_NAME;",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.object_type}:{self.object_pk}"

    def chain_content(self) -> dict[str, Any]:
        """Everything the content hash covers (see docs/audit.md, "Chain format")."""
        return {
            "seq": self.seq,
            "timestamp": self.timestamp.isoformat(),
            "event": self.event,
            "action": self.action,
            "study": self.study,
            "object_type": self.object_type,
            "object_pk": self.object_pk,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "changes_text": self.changes_text,
            "serialized_data": self.serialized_data,
            "additional_data": self.additional_data,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "actor_email": self.actor_email,
            "remote_addr": self.remote_addr,
            "remote_port": self.remote_port,
            "cid": self.cid,
            "reason": self.reason,
        }

    def _complete_from_context(self) -> None:
        """Actor, study and safe object representation from who is acting, before the entry is hashed."""
        if self.actor_id is None and not self.actor_label:
            self.actor_id, self.actor_label = current_actor()
        elif not self.actor_label:
            self.actor_label = f"user:{self.actor_id}"
        if self.content_type_id is not None:
            pending = take_pending(str(self.object_pk))
            if pending is not None:
                study, self.object_repr = pending
                self.study = self.study or study
        if not self.study:
            self.study = current_study_slug()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.pk is not None:
            raise AuditLogImmutableError("Audit entries are append-only.")
        self._complete_from_context()
        # Never stored, whatever auditlog's context filled in (research-notes: no e-mails, no IPs).
        self.actor_email = None
        self.remote_addr = None
        self.remote_port = None
        # Stored types, so the hash computed now is the hash recomputed from the row later.
        self.object_pk = "" if self.object_pk is None else str(self.object_pk)
        self.object_repr = "" if self.object_repr is None else str(self.object_repr)
        self.changes = _json_roundtrip(self.changes)
        self.serialized_data = _json_roundtrip(self.serialized_data)
        self.additional_data = _json_roundtrip(self.additional_data)
        if self.content_type_id and not self.object_type:
            from django.contrib.contenttypes.models import ContentType

            ct = ContentType.objects.get_for_id(self.content_type_id)
            self.object_type = f"{ct.app_label}.{ct.model}"
        if not self.event:
            names = {0: "create", 1: "update", 2: "delete", 3: "access"}
            self.event = f"{self.object_type}.{names.get(self.action, 'event')}"
        with transaction.atomic(using=kwargs.get("using") or "default"):
            with connection.cursor() as cursor:
                # Held until the outer transaction ends: the next writer reads this head only after commit.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [ADVISORY_LOCK_NAMESPACE, connection.schema_name]
                )
            head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
            self.seq, self.prev_hash = (head[0] + 1, head[1]) if head else (1, chain.GENESIS_HASH)
            self.field_hashes = chain.field_hashes(self.chain_content())
            self.content_hash = chain.fields_digest(self.field_hashes)
            self.entry_hash = chain.entry_hash(self.prev_hash, self.content_hash, chain.CHAIN_FORMAT_2)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutableError("Audit entries are append-only.")


class AuditCheckpoint(models.Model):
    """A signed head of this schema's chain (audit/signing.py); the signature is made outside the database."""

    number = models.PositiveIntegerField(unique=True)
    seq = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    created_at = models.CharField(max_length=40)  # ISO 8601 as signed, so the payload is rebuilt exactly
    prev_signature = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["number"]
        triggers = [
            pgtrigger.Protect(name="audit_checkpoint_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.number} at seq {self.seq}"

    def signed(self) -> dict[str, Any]:
        """The checkpoint as exported: the signed payload plus its signature."""
        from audit import signing

        body = signing.payload(
            schema=connection.schema_name,
            number=self.number,
            seq=self.seq,
            entry_hash=self.entry_hash,
            created_at=self.created_at,
            prev=self.prev_signature,
            kid=self.key_id,
        )
        return {**body, "signature": self.signature}
