"""Envelope encryption, blind index and participant codes (pure: no Django).

Key hierarchy (docs/privacy.md):

    master key (environment, PLATFORM_MASTER_KEYS, current first)
      └─ wraps the study key (one per study schema, 32 random bytes)
           ├─ HKDF "blind-index/v1"     -> HMAC-SHA256 key of the blind index (look-up of external ids)
           └─ HKDF "participant-kek/v1" -> wraps each participant's data key
                                              └─ AES-GCM encrypts that participant's external id

Every wrap and every ciphertext is AES-256-GCM with a random 96-bit nonce and associated data
that binds it to its place (which study, which participant), so a ciphertext copied onto another
row or into another study does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CRYPTO_VERSION = "envelope-aesgcm/1"
KEY_BYTES = 32
NONCE_BYTES = 12
# Base32 (Crockford-like) without the look-alikes 0/O, 1/I/L and U: read aloud or typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
EXTERNAL_ID_MAX_LENGTH = 128
DEVELOPMENT_KEY_LABEL = b"research-platform development master key (never use in production)"


class KeyConfigurationError(ValueError):
    """PLATFORM_MASTER_KEYS is missing or malformed."""


class DecryptionError(ValueError):
    """A wrapped key or ciphertext does not open with the key given (wrong key or tampered data)."""


class InvalidExternalId(ValueError):
    """An external id that cannot be a survey-panel id (empty, too long, control characters)."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes = b""

    def __repr__(self) -> str:  # never print key material
        return f"MasterKey(key_id={self.key_id!r})"

    @property
    def is_development(self) -> bool:
        return self.key == hashlib.sha256(DEVELOPMENT_KEY_LABEL).digest()


def key_id_of(key: bytes) -> str:
    """A public fingerprint of a master key: names it in the database without revealing it."""
    return hashlib.sha256(b"master-key-id|" + key).hexdigest()[:16]


def _decode_key(text: str, position: int) -> bytes:
    cleaned = text.strip()
    try:
        # Standard or URL-safe alphabet, padding optional; anything else is an error, not ignored.
        standard = cleaned.rstrip("=").replace("-", "+").replace("_", "/")
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigurationError(
            f"PLATFORM_MASTER_KEYS entry {position} is not base64 (generate one with "
            "`python -c 'import secrets,base64;print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'`)."
        ) from exc
    if len(raw) != KEY_BYTES:
        raise KeyConfigurationError(
            f"PLATFORM_MASTER_KEYS entry {position} decodes to {len(raw)} bytes; a master key is {KEY_BYTES} bytes."
        )
    return raw


def parse_master_keys(value: str | None) -> tuple[MasterKey, ...]:
    """Parse a comma/whitespace-separated list of base64 keys, the current key first."""
    entries = [item for item in (value or "").replace(",", " ").split() if item]
    if not entries:
        raise KeyConfigurationError("PLATFORM_MASTER_KEYS is not set: no identifier can be encrypted or read.")
    raws = [_decode_key(entry, position) for position, entry in enumerate(entries, start=1)]
    keys = tuple(MasterKey(key_id=key_id_of(raw), key=raw) for raw in raws)
    if len({k.key_id for k in keys}) != len(keys):
        raise KeyConfigurationError("PLATFORM_MASTER_KEYS lists the same key twice.")
    return keys


def development_master_key() -> str:
    """A deterministic key for local/test settings only: public knowledge, so it protects nothing.

    Derived from a fixed label (not from SECRET_KEY) so that changing a developer's SECRET_KEY
    does not make their local studies' identifiers unreadable.
    """
    raw = hashlib.sha256(DEVELOPMENT_KEY_LABEL).digest()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def generate_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """AES-256-GCM; the result is nonce || ciphertext || tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, *, aad: bytes) -> bytes:
    if len(sealed) <= NONCE_BYTES:
        raise DecryptionError("sealed value is too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptionError("wrong key or tampered data") from exc


def derive(study_key: bytes, purpose: bytes) -> bytes:
    """Separate keys for separate jobs, all from the one study key (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(study_key)


def study_key_aad(schema_name: str) -> bytes:
    return b"study-key|" + schema_name.encode("utf-8")


def participant_key_aad(participant_code: str) -> bytes:
    return b"participant-key|" + participant_code.encode("utf-8")


def external_id_aad(participant_code: str) -> bytes:
    return b"external-id|" + participant_code.encode("utf-8")


def normalize_external_id(value: object) -> str:
    """What a survey panel sends, cleaned: Unicode NFKC, surrounding whitespace removed."""
    if not isinstance(value, str):
        raise InvalidExternalId("must be a string")
    cleaned = unicodedata.normalize("NFKC", value).strip()
    if not cleaned:
        raise InvalidExternalId("must not be empty")
    if len(cleaned) > EXTERNAL_ID_MAX_LENGTH:
        raise InvalidExternalId(f"must be at most {EXTERNAL_ID_MAX_LENGTH} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise InvalidExternalId("must not contain control or invisible characters")
    return cleaned


def blind_index(index_key: bytes, external_id: str) -> str:
    """Keyed HMAC of the case-folded id: equal ids match, the index alone reveals nothing.

    Case is folded because panels and people copy ids with varying case; the encrypted copy
    keeps the id as first received.
    """
    return hmac.new(index_key, external_id.casefold().encode("utf-8"), hashlib.sha256).hexdigest()


def new_participant_code() -> str:
    """P-XXXX-XXXX: 30^8 ≈ 6.6e11 codes; the caller retries on the (rare) collision."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"P-{chars[:4]}-{chars[4:]}"


def new_token() -> str:
    """A participant bearer token (256 bits); only its hash is stored."""
    return "pt_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # The token has 256 bits of entropy, so a plain SHA-256 (no salt, no stretching) is enough
    # and keeps the look-up a single indexed equality.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
