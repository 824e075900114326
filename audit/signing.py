"""Signed checkpoints of the audit chains (Ed25519, the key outside the database; pure, no Django).

The chain proves that entries were not changed in place, but whoever owns the database can
rewrite an entry and recompute every hash after it, or cut off the newest entries. A checkpoint
is the chain head (seq, entry hash) signed with a key the database never holds
(PLATFORM_AUDIT_SIGNING_KEY); each checkpoint names the previous one's signature, and the
compliance officer keeps exported copies. Verifying the chain against a checkpoint detects any
rewrite of an entry it covers (the head hash changes) and any truncation below it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CHECKPOINT_FORMAT = "audit-checkpoint/1"
GENESIS_SIGNATURE = "0" * 64
DEVELOPMENT_LABEL = b"research-platform development audit signing key (public, protects nothing)"


class SigningKeyError(ValueError):
    pass


def development_signing_key() -> str:
    """A published key for local and test settings only (production refuses it)."""
    return base64.b64encode(hashlib.sha256(DEVELOPMENT_LABEL).digest()).decode("ascii")


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey

    @classmethod
    def from_setting(cls, value: str) -> Signer:
        try:
            seed = base64.b64decode(value.strip(), validate=True)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError("PLATFORM_AUDIT_SIGNING_KEY is not base64") from exc
        if len(seed) != 32:
            raise SigningKeyError("PLATFORM_AUDIT_SIGNING_KEY must be 32 bytes (base64 of an Ed25519 seed)")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_key(self) -> str:
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, payload: Mapping[str, Any]) -> str:
        return self.private.sign(canonical(payload)).hex()


def key_id(public_key: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def signature_digest(signature: str) -> str:
    return hashlib.sha256(bytes.fromhex(signature)).hexdigest()


def payload(*, schema: str, number: int, seq: int, entry_hash: str, created_at: str, prev: str, kid: str) -> dict:
    return {
        "format": CHECKPOINT_FORMAT,
        "schema": schema,
        "number": number,
        "seq": seq,
        "entry_hash": entry_hash,
        "created_at": created_at,
        "prev_signature": prev,
        "key_id": kid,
    }


def signature_valid(public_key: str, body: Mapping[str, Any], signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
            bytes.fromhex(signature), canonical(body)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def check_against_chain(
    checkpoints: list[Mapping[str, Any]], public_key: str, schema: str, hashes_by_seq: Mapping[int, str]
) -> list[str]:
    """Problems found comparing signed checkpoints of ``schema`` with the chain's entry hashes."""
    problems = []
    head = max(hashes_by_seq, default=0)
    # Several exports overlap (each holds every checkpoint so far): one copy of each number; a
    # partial export is checked from its first checkpoint on.
    unique = {int(c["number"]): c for c in reversed(checkpoints) if c.get("schema") == schema}
    previous: tuple[int, str] | None = None
    for number in sorted(unique):
        checkpoint = unique[number]
        body = {k: v for k, v in checkpoint.items() if k != "signature"}
        label = f"checkpoint {number} (seq {checkpoint.get('seq')})"
        if not signature_valid(public_key, body, checkpoint.get("signature", "")):
            problems.append(f"{label}: the signature does not verify (forged or altered checkpoint)")
            continue
        expected = (
            GENESIS_SIGNATURE if number == 1 else (previous[1] if previous and previous[0] == number - 1 else None)
        )
        if expected is not None and body["prev_signature"] != expected:
            problems.append(f"{label}: does not follow the previous checkpoint (one is missing or replaced)")
        if previous is not None and previous[0] != number - 1:
            problems.append(f"{label}: checkpoints {previous[0] + 1}..{number - 1} are missing")
        previous = (number, signature_digest(checkpoint["signature"]))
        seq = int(body["seq"])
        if seq > head:
            problems.append(f"{label}: the chain ends at seq {head}, before this checkpoint (entries cut off)")
        elif hashes_by_seq.get(seq) != body["entry_hash"]:
            problems.append(f"{label}: the entry at seq {seq} is not the one signed (chain rewritten)")
    return problems
