"""Writes to the audit trail: events (state changes) and access records (reads of identifying data).

Both append a hash-chained entry in the CURRENT schema (a study's, or public for platform-level
actions) inside the caller's transaction: if the change rolls back, so does its entry.
``details`` must hold no personal data (participant codes are fine; never external ids, e-mails, IPs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditlog.models import AbstractLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from audit.context import user_label
from audit.models import AuditEntry
from audit.registry import safe_repr, study_of
from core.study import current_study_slug

ACCESS_ACTIONS = frozenset({"reidentify", "identifier_read", "export", "audit_query", "data_access"})


def _action_code(action: str) -> int:
    tail = action.rsplit(".", 1)[-1]
    if tail in {"create", "grant", "publish", "issue"}:
        return AbstractLogEntry.Action.CREATE
    if tail in {"delete", "revoke", "erase", "shred"}:
        return AbstractLogEntry.Action.DELETE
    return AbstractLogEntry.Action.UPDATE


def _entry(
    *, action: str, code: int, obj: models.Model | None, actor: Any, details: dict | None, reason: str = ""
) -> AuditEntry:
    entry = AuditEntry(event=action, action=code, additional_data=details or None, reason=reason)
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_pk = str(obj.pk)
        entry.object_id = obj.pk if isinstance(obj.pk, int) else None
        entry.object_repr = safe_repr(obj)
        entry.study = study_of(obj)
    elif details and isinstance(details.get("study"), str):
        entry.study = details["study"]
    if actor is not None:
        # Accept a platform user or a participant principal; the label is always pseudonymous.
        participant = getattr(actor, "participant", None)
        if participant is not None:
            entry.actor_label = f"participant:{participant.participant_code}"
        else:
            entry.actor_id = actor.pk
            entry.actor_label = user_label(actor)
    entry.save()
    return entry


@transaction.atomic
def audit_event(
    *, action: str, obj: models.Model | None = None, actor: Any = None, details: dict | None = None
) -> AuditEntry:
    """Record a state change (``action`` like "membership.grant"); actor None = the current context."""
    return _entry(action=action, code=_action_code(action), obj=obj, actor=actor, details=details)


@transaction.atomic
def audit_access(
    *, action: str, obj: models.Model | None = None, actor: Any = None, reason: str = "", details: dict | None = None
) -> AuditEntry:
    """Record a read of identifying data or of the audit trail itself (auditlog's ACCESS entries)."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"unknown access action {action!r}; one of {sorted(ACCESS_ACTIONS)}")
    return _entry(
        action=action, code=AbstractLogEntry.Action.ACCESS, obj=obj, actor=actor, details=details, reason=reason
    )


@transaction.atomic
def audit_redact_participant(
    *,
    participant: models.Model,
    actor: Any = None,
    objects: Iterable[tuple[str, str]] = (),
    needles: Iterable[str] = (),
    exclude_types: Iterable[str] = (),
    include_platform: bool = True,
) -> AuditEntry:
    """Blank every entry that names ``participant`` in the current study's chain (erasure, issue 8).

    Matches (audit/redaction.py): the code anywhere, the Participant row, rows pointing at it by id
    (``changes["participant"]``), the ``objects`` ("app.model", pk) and ``needles`` (session and event
    ids) the caller names, and every entry about an object so found. ``exclude_types`` are object
    types never pulled in by row id (the erasure's own tombstone). With ``include_platform``, entries
    of the platform chain (public) about this study that contain the code or the ids are blanked too.

    The one guarded UPDATE the database allows (docs/audit.md): hash columns stay, ``redacted_at``
    is set, so the chain still verifies and counts the redacted entries. Each chain that had
    something blanked logs ``audit.redact`` with the count and seqs, never the code. Returns the
    study chain's ``audit.redact`` entry.
    """
    from django.db import connection
    from django_tenants.utils import schema_context

    from audit import redaction

    code = str(participant.participant_code)  # type: ignore[attr-defined]
    objects, needles = list(objects), list(needles)
    ids = redaction.matching_entry_ids(
        code=code, participant_pk=participant.pk, objects=objects, needles=needles, exclude_types=exclude_types
    )
    seqs = redaction.redact_entries(ids, code=code)
    record = _entry(
        action="audit.redact",
        code=AbstractLogEntry.Action.UPDATE,
        obj=None,
        actor=actor,
        details={"entries": len(seqs), "seqs": seqs},
    )
    slug = current_study_slug()
    if include_platform and slug and connection.schema_name != "public":
        # The platform chain: audit queries made on the platform host may hold the code.
        extra = sorted({pk for _, pk in objects if not str(pk).isdigit()})
        with schema_context("public"):
            public_ids = redaction.matching_entry_ids(
                code=code, participant_pk=None, needles=[*needles, *extra], study=slug
            )
            public_seqs = redaction.redact_entries(public_ids, code=code)
            if public_seqs:
                _entry(
                    action="audit.redact",
                    code=AbstractLogEntry.Action.UPDATE,
                    obj=None,
                    actor=actor,
                    details={"entries": len(public_seqs), "seqs": public_seqs, "study": slug},
                )
    return record
