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

CERTIFICATE_FORMAT = "deletion-certificate/1"


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
        "statement": (
            "All data of the participant named in this request was erased from the study's database; "
            "the participant's data key was destroyed, so any copy of the encrypted identifier "
            "cannot be decrypted. Kept: this certificate, a tombstone with the counts above, and "
            "audit entries that refer to the participant only by pseudonymous code."
        ),
    }


def certificate_sha256(certificate: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(certificate)).hexdigest()
