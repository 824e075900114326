"""The key hierarchy in the database: master keys (settings) -> study key (this schema) -> derived keys.

The study key is created on first use inside the study's own schema, never in public or in the
template (a key in the template would be copied into every clone and make studies linkable).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import ApplicationError
from pseudonymization import crypto
from pseudonymization.models import StudyKey

INDEX_PURPOSE = b"blind-index/v1"
PARTICIPANT_KEK_PURPOSE = b"participant-kek/v1"


class KeyUnavailable(ApplicationError):
    """The configured master keys cannot open this study's key: an operator problem, never the caller's."""

    def __init__(self, message: str) -> None:
        super().__init__("key_unavailable", message, status_code=503)


@functools.lru_cache(maxsize=8)
def _parse(value: str | None) -> tuple[crypto.MasterKey, ...]:
    return crypto.parse_master_keys(value)


def master_keys() -> tuple[crypto.MasterKey, ...]:
    """The configured master keys, current first (raises KeyConfigurationError when absent/malformed)."""
    return _parse(getattr(settings, "PLATFORM_MASTER_KEYS", None))


def current_master_key() -> crypto.MasterKey:
    return master_keys()[0]


def _schema() -> str:
    schema = connection.schema_name
    if schema in ("public", settings.TENANT_BASE_SCHEMA):
        raise RuntimeError(f"Study keys exist only in a study's schema, not in '{schema}'.")
    return schema


def unwrap_study_key(row: StudyKey, schema_name: str) -> bytes:
    """Open a stored study key with whichever configured master key wrapped it."""
    by_id = {key.key_id: key for key in master_keys()}
    master = by_id.get(row.master_key_id)
    if master is None:
        raise KeyUnavailable(
            f"The study key of '{schema_name}' is wrapped under master key {row.master_key_id}, which is not in "
            "PLATFORM_MASTER_KEYS. Put that key back (after the current one) and run `manage.py rotate_keys`."
        )
    try:
        return crypto.open_sealed(master.key, bytes(row.wrapped_key), aad=crypto.study_key_aad(schema_name))
    except crypto.DecryptionError as exc:
        raise KeyUnavailable(
            f"Master key {row.master_key_id} does not open the study key of '{schema_name}' (wrong key, or the "
            "schema was copied from another study)."
        ) from exc


def study_key() -> bytes:
    """This study's key, created (and wrapped under the current master key) on first use."""
    schema = _schema()
    row = StudyKey.objects.filter(singleton=True).first()
    if row is None:
        master = current_master_key()
        raw = crypto.generate_key()
        try:
            with transaction.atomic():
                row = StudyKey.objects.create(
                    wrapped_key=crypto.seal(master.key, raw, aad=crypto.study_key_aad(schema)),
                    master_key_id=master.key_id,
                )
            return raw
        except IntegrityError:
            # Another request created it first; use theirs.
            row = StudyKey.objects.get(singleton=True)
    return unwrap_study_key(row, schema)


def index_key() -> bytes:
    return crypto.derive(study_key(), INDEX_PURPOSE)


def participant_kek() -> bytes:
    return crypto.derive(study_key(), PARTICIPANT_KEK_PURPOSE)


@transaction.atomic
def rewrap_study_key() -> bool:
    """Re-wrap this schema's study key under the current master key; True when something changed.

    Only the 32-byte wrapped key changes: participant keys and ciphertexts stay as they are.
    """
    schema = _schema()
    row = StudyKey.objects.select_for_update().filter(singleton=True).first()
    master = current_master_key()
    if row is None or row.master_key_id == master.key_id:
        return False
    raw = unwrap_study_key(row, schema)
    row.wrapped_key = crypto.seal(master.key, raw, aad=crypto.study_key_aad(schema))
    row.master_key_id = master.key_id
    row.rewrapped_at = timezone.now()
    row.save(update_fields=["wrapped_key", "master_key_id", "rewrapped_at"])
    return True
