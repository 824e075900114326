"""Carrying a survey-panel id from the study link through the consent form without showing it.

The panel puts the id in the link (`/?PROLIFIC_PID=...`). The consent page must post it back, but
the page's HTML, the form body and anything that logs them should not hold it in clear. So the
page carries a sealed copy: AES-GCM under a key derived from this study's key, bound to the study
and stamped with the time, so it opens only here, only for a day, and cannot be altered.
"""

from __future__ import annotations

import base64
import binascii
import json
import time

from django.db import connection

from core.errors import ApplicationError
from pseudonymization import crypto, keyring
from pseudonymization.services import normalized_external_id

CARRY_PURPOSE = b"form-carry/v1"
CARRY_LIFETIME_SECONDS = 24 * 3600


def _key_and_aad() -> tuple[bytes, bytes]:
    return crypto.derive(keyring.study_key(), CARRY_PURPOSE), b"form-carry|" + connection.schema_name.encode()


def external_id_seal_for_form(external_id: str) -> str:
    """A sealed, URL-safe copy of the normalized id (400 `invalid` when the id cannot be one)."""
    cleaned = normalized_external_id(external_id)
    key, aad = _key_and_aad()
    payload = json.dumps({"id": cleaned, "at": int(time.time())}).encode("utf-8")
    return base64.urlsafe_b64encode(crypto.seal(key, payload, aad=aad)).decode("ascii").rstrip("=")


def external_id_open_from_form(sealed: str) -> str:
    """The id a consent page carried; 400 `link_expired` when it is stale, altered or from elsewhere."""
    expired = ApplicationError(
        "link_expired", "The study link has expired or was altered; open the link from the survey panel again."
    )
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        key, aad = _key_and_aad()
        payload = json.loads(crypto.open_sealed(key, raw, aad=aad))
    except (binascii.Error, ValueError, crypto.DecryptionError) as exc:
        raise expired from exc
    if not isinstance(payload, dict) or time.time() - float(payload.get("at", 0)) > CARRY_LIFETIME_SECONDS:
        raise expired
    return str(payload["id"])
