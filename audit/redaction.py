"""Which audit entries name an erased participant, and blanking them through the guarded path.

Erasure (issue 8) must leave no trace of a participant in the log, yet the chain must still verify.
An entry can name a participant in many ways: their code (object representation, actor label,
details, field changes, reason), their Participant row, a row of another model that points at the
participant only by row id (``changes["participant"]``, e.g. a consent record or a token), the ids
of their sessions and events, or later entries about those rows that repeat only the row's own pk
(a token's ``last_used_at`` update). ``matching_entry_ids`` finds all of them:

1. seeds: the code anywhere in the text columns, the Participant row, ``changes.participant`` =
   the participant's pk, the (object_type, object_pk) pairs and strings the caller names;
2. closure: every object a seed entry is about is the participant's too, so every entry about
   those objects matches, and non-numeric object pks (UUIDs: session ids) become strings to find.

Redaction blanks the content columns (never the hash columns, event, action, study, timestamp,
actor id; see docs/audit.md) and sets ``redacted_at``, inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

# Content columns searched for strings, as text.
_TEXT = (
    "concat_ws(' ', object_repr, object_pk, actor_label, reason, changes_text,"
    " changes::text, serialized_data::text, additional_data::text)"
)
_CONTAINS_ANY = f"EXISTS (SELECT 1 FROM unnest(%s::text[]) n WHERE strpos({_TEXT}, n) > 0)"


def _ids(where: str, params: list[object]) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM audit_auditentry WHERE redacted_at IS NULL AND ({where})", params)
        return {row[0] for row in cursor.fetchall()}


def _pairs(ids: set[int], exclude_types: list[str]) -> set[tuple[str, str]]:
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT object_type, object_pk FROM audit_auditentry WHERE id = ANY(%s)"
            " AND object_pk <> '' AND object_type <> ALL(%s)",
            [sorted(ids), exclude_types],
        )
        return {(row[0], row[1]) for row in cursor.fetchall()}


def _about(pairs: set[tuple[str, str]]) -> set[int]:
    if not pairs:
        return set()
    types, pks = zip(*sorted(pairs), strict=True)
    return _ids("(object_type, object_pk) IN (SELECT * FROM unnest(%s::text[], %s::text[]))", [list(types), list(pks)])


def matching_entry_ids(
    *,
    code: str,
    participant_pk: object | None,
    objects: Iterable[tuple[str, str]] = (),
    needles: Iterable[str] = (),
    exclude_types: Iterable[str] = (),
    study: str | None = None,
) -> set[int]:
    """Ids of the unredacted entries of the CURRENT schema that name the participant (see module doc).

    ``exclude_types`` (object types, "app.model") are never pulled in by the closure or by the row-id
    match — the erasure's own tombstone entries, which refer to the participant's row only. ``study``
    restricts the search to entries about that study (the platform chain holds several studies').
    """
    exclude = sorted({t.lower() for t in exclude_types})
    strings = sorted({s for s in [code, *needles] if s})
    scope, scope_params = ("study = %s AND ", [study]) if study is not None else ("", [])
    seeds = _ids(scope + _CONTAINS_ANY, [*scope_params, strings])
    if participant_pk is not None:
        pk = str(participant_pk)
        seeds |= _ids(
            scope + "((object_type = 'pseudonymization.participant' AND object_pk = %s)"
            " OR (object_type <> ALL(%s) AND changes IS NOT NULL AND jsonb_typeof(changes) = 'object'"
            " AND (changes->'participant' @> %s::jsonb OR changes->'participant' @> %s::jsonb)))",
            [*scope_params, pk, exclude, json.dumps(pk), json.dumps(int(pk)) if pk.isdigit() else json.dumps(pk)],
        )
    pairs = {(t.lower(), str(p)) for t, p in objects if str(t).lower() not in exclude} | _pairs(seeds, exclude)
    found = seeds | _about(pairs)
    # Object ids that are not small integers (UUIDs: sessions, requests) are specific enough to search for.
    extra = sorted({pk for _, pk in pairs if not pk.isdigit() and len(pk) >= 8} - set(strings))
    if extra:
        found |= _ids(scope + _CONTAINS_ANY, [*scope_params, extra])
    return found


def redact_entries(ids: set[int], *, code: str) -> list[int]:
    """Blank the content of ``ids`` through the guarded UPDATE; return their seqs (ascending)."""
    if not ids:
        return []
    pattern = "%" + code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.redaction = 'on'")
        cursor.execute(
            "UPDATE audit_auditentry SET object_repr = '', object_pk = '', object_id = NULL, changes = NULL,"
            " changes_text = '', serialized_data = NULL, additional_data = NULL, reason = '',"
            " actor_label = CASE WHEN actor_label LIKE %s THEN 'participant:erased' ELSE actor_label END,"
            " redacted_at = %s WHERE id = ANY(%s) AND redacted_at IS NULL RETURNING seq",
            [pattern, timezone.now(), sorted(ids)],
        )
        seqs = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL audit.redaction = 'off'")
    return seqs
