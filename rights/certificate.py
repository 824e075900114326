"""Deletion certificates: a canonical JSON document and its SHA-256 (pure; no Django).

The certificate names the request, the study, when it was received and executed and how many
rows of each kind were erased. It holds no participant code, identifier or data, so it can be
handed to the requester and kept forever. Its hash is also written into the audit chain, which
makes a later edit of the stored certificate detectable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

# /2: the statement says whether a data key was destroyed, matching `identifier_key_shredded`
# (/1 always said it was, also for participants who never had an encrypted identifier).
CERTIFICATE_FORMAT = "deletion-certificate/2"


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same document always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def certificate_build(
    *,
    request_id: str,
    study: str,
    source: str,
    received_at: str,
    executed_at: str,
    counts: Mapping[str, int],
    key_shredded: bool,
    audit_anchor: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "format": CERTIFICATE_FORMAT,
        "request_id": request_id,
        "study": study,
        "requested_by": source,
        "received_at": received_at,
        "executed_at": executed_at,
        "erased": {name: int(counts[name]) for name in sorted(counts)},
        "identifier_key_shredded": bool(key_shredded),
        # The last audit entry written by the erasure: ties the certificate to the verified chain.
        "audit_anchor": dict(audit_anchor),
        "statement": certificate_statement(key_shredded=bool(key_shredded)),
    }


def certificate_statement(*, key_shredded: bool) -> str:
    """The certificate's sentence, true to its facts: a data key is said destroyed only if one was."""
    key = (
        "the participant's data key was destroyed, so any copy of the encrypted identifier cannot be decrypted"
        if key_shredded
        else "no external identifier (such as a panel id) was stored for this participant, so there was no "
        "data key to destroy"
    )
    return (
        f"All data of the participant named in this request was erased from the study's database; {key}. "
        "Kept: this certificate, a tombstone with the number of records erased of each kind, and audit entries "
        "that refer to the participant only by pseudonymous code."
    )


def certificate_sha256(certificate: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(certificate)).hexdigest()
