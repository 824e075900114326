"""The hash chain of the audit log, as pure functions (no Django).

Each entry has a content hash (SHA-256 over its canonical JSON) and an entry hash
``SHA-256(prev_entry_hash || content_hash)``. Chaining over the content *hash* rather than the
content lets a guarded erasure path blank personal parts of an old entry while keeping the chain
verifiable: the stored content hash stays, only the check "content matches content hash" is then
skipped for that (marked) entry. docs/audit.md describes the format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
CHAIN_FORMAT = "audit-chain/1"
# /2 (#18 finding 7): the content hash commits to one hash per field, so a redacted entry proves
# that only the designated personal fields changed, and only to their blank values.
CHAIN_FORMAT_2 = "audit-chain/2"
# The personal fields redaction may blank, with the values it may leave (audit/redaction.py).
REDACTABLE: dict[str, tuple[Any, ...]] = {
    "object_repr": ("",),
    "object_pk": ("",),
    "object_id": (None,),
    "changes": (None,),
    "changes_text": ("",),
    "serialized_data": (None,),
    "additional_data": (None,),
    "reason": ("",),
    "actor_label": ("participant:erased",),
}


def canonical_json(content: Mapping[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def entry_hash(prev_hash: str, content_digest: str, chain_format: str = CHAIN_FORMAT) -> str:
    return hashlib.sha256(f"{chain_format}|{prev_hash}|{content_digest}".encode("ascii")).hexdigest()


def field_hash(value: Any) -> str:
    return hashlib.sha256(canonical_json({"v": value})).hexdigest()


def field_hashes(content: Mapping[str, Any]) -> dict[str, str]:
    """Format /2: one SHA-256 per field of the entry's content."""
    return {name: field_hash(value) for name, value in content.items()}


def fields_digest(hashes: Mapping[str, str]) -> str:
    """Format /2's content hash: SHA-256 over the canonical JSON of the field hashes."""
    return hashlib.sha256(canonical_json(hashes)).hexdigest()


def _field_problem(row: ChainRow) -> str:
    """Format /2: the first field whose value is not what the entry committed to ("" if none)."""
    assert row.field_hashes is not None and row.content is not None
    if fields_digest(row.field_hashes) != row.content_hash:
        return "field hashes do not match the content hash (entry altered)"
    if set(row.field_hashes) != set(row.content):
        return "the entry's fields are not those it committed to"
    for name, value in sorted(row.content.items()):
        if field_hash(value) == row.field_hashes[name]:
            continue
        if row.redacted and name in REDACTABLE and value in REDACTABLE[name]:
            continue  # blanked by redaction, as allowed
        return f"field {name!r} does not match its committed hash" + (
            " (not a field redaction may change)" if row.redacted and name not in REDACTABLE else " (entry altered)"
        )
    return ""


@dataclass(frozen=True)
class ChainRow:
    """What verification needs of one stored entry."""

    pk: int
    seq: int
    prev_hash: str
    content_hash: str
    entry_hash: str
    content: Mapping[str, Any] | None  # format /1: None when the entry's content was redacted
    field_hashes: Mapping[str, str] | None = None  # format /2 entries only
    redacted: bool = False


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    head_seq: int | None
    head_hash: str
    redacted: int = 0
    first_broken_seq: int | None = None
    first_broken_pk: int | None = None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "redacted": self.redacted,
            "first_broken": (
                None
                if self.intact
                else {"seq": self.first_broken_seq, "id": self.first_broken_pk, "problem": self.problem}
            ),
        }


def verify_rows(rows: Iterable[ChainRow]) -> Verdict:
    """Walk rows in ascending ``seq`` order; report the first entry that breaks the chain.

    Detected: a changed entry (content no longer matches its content hash), a changed or forged
    hash, a deleted entry (a gap in ``seq`` or a ``prev_hash`` pointing elsewhere), and reordering
    (a ``seq`` out of order or a ``prev_hash`` that is not the previous entry's hash).
    """
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    redacted = 0
    last_seq: int | None = None

    def broken(row: ChainRow, problem: str) -> Verdict:
        return Verdict(False, count, last_seq, prev, redacted, row.seq, row.pk, problem)

    for row in rows:
        if row.seq != expected_seq:
            kind = "missing entries before this one" if row.seq > expected_seq else "sequence out of order"
            return broken(row, f"{kind} (expected seq {expected_seq}, found {row.seq})")
        if row.prev_hash != prev:
            return broken(row, "prev_hash does not match the previous entry's hash")
        chain_format = CHAIN_FORMAT
        if row.field_hashes is not None:  # format /2: every field checked, redacted or not
            chain_format = CHAIN_FORMAT_2
            redacted += row.redacted
            problem = _field_problem(row)
            if problem:
                return broken(row, problem)
        elif row.content is None:
            redacted += 1
        elif content_hash(row.content) != row.content_hash:
            return broken(row, "content does not match its content hash (entry altered)")
        if entry_hash(prev, row.content_hash, chain_format) != row.entry_hash:
            return broken(row, "entry hash does not match (hash altered)")
        prev = row.entry_hash
        last_seq = row.seq
        expected_seq += 1
        count += 1
    return Verdict(True, count, last_seq, prev, redacted)
