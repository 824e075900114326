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


def canonical_json(content: Mapping[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def entry_hash(prev_hash: str, content_digest: str) -> str:
    return hashlib.sha256(f"{CHAIN_FORMAT}|{prev_hash}|{content_digest}".encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainRow:
    """What verification needs of one stored entry."""

    pk: int
    seq: int
    prev_hash: str
    content_hash: str
    entry_hash: str
    content: Mapping[str, Any] | None  # None when the entry's content was redacted


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
        if row.content is None:
            redacted += 1
        elif content_hash(row.content) != row.content_hash:
            return broken(row, "content does not match its content hash (entry altered)")
        if entry_hash(prev, row.content_hash) != row.entry_hash:
            return broken(row, "entry hash does not match (hash altered)")
        prev = row.entry_hash
        last_seq = row.seq
        expected_seq += 1
        count += 1
    return Verdict(True, count, last_seq, prev, redacted)
