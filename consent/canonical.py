"""Canonical text of a consent document and its SHA-256 (pure, no Django).

The hash a participant agrees to must not change with invisible whitespace or line endings, so
the text is normalised (Unicode NFC, LF line endings, trailing spaces stripped) before hashing,
and the title, language and version label are part of what is hashed.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata


def canonical_text(text: str) -> str:
    normalized = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in normalized.split("\n")).strip() + "\n"


def consent_sha256(*, version: str, title: str, language: str, body: str) -> str:
    payload = json.dumps(
        {"version": version, "title": title.strip(), "language": language, "body": canonical_text(body)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
