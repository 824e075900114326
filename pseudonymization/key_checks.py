"""Start-up checks of the key hierarchy: master keys configured, and every study key opens with them.

Run as Django system checks (`manage.py check --database default`, and `migrate`), and by the WSGI/ASGI
entry points when PLATFORM_VERIFY_KEYS_AT_STARTUP is on (production): a wrong or missing master key
stops the process at start-up with a clear message instead of failing requests later.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from pseudonymization import crypto


def _master_key_messages() -> list[Error | Warning]:
    try:
        keys = crypto.parse_master_keys(getattr(settings, "PLATFORM_MASTER_KEYS", None))
    except crypto.KeyConfigurationError as exc:
        return [
            Error(
                str(exc),
                hint="Set PLATFORM_MASTER_KEYS (or PLATFORM_MASTER_KEYS_FILE); see docs/privacy.md.",
                id="pseudonymization.E001",
            )
        ]
    if any(key.is_development for key in keys):
        return [
            Warning(
                "PLATFORM_MASTER_KEYS is the published development key: identifiers are NOT protected.",
                hint="Fine for development and tests only; production refuses it.",
                id="pseudonymization.W001",
            )
        ]
    return []


def _study_key_messages() -> list[Error]:
    """One error per study whose key the configured master keys cannot open."""
    from core.study import for_each_study, studies
    from pseudonymization.keyring import KeyUnavailable, unwrap_study_key
    from pseudonymization.models import StudyKey

    errors: list[Error] = []
    try:
        every_study = list(studies())
    except DatabaseError:
        return []  # not migrated yet: nothing is encrypted yet either
    for study in for_each_study(every_study):
        try:
            row = StudyKey.objects.filter(singleton=True).first()
            if row is not None:
                unwrap_study_key(row, study.schema_name)
        except KeyUnavailable as exc:
            errors.append(
                Error(
                    exc.message,
                    id="pseudonymization.E002",
                    hint="Restore the master key that wrapped it (after the current one), then run "
                    "`manage.py rotate_keys`.",
                )
            )
        except DatabaseError:
            continue  # a schema being provisioned right now
    return errors


@register(Tags.security)
def check_master_keys(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    return _master_key_messages()


@register(Tags.database)
def check_study_keys(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    if not databases or any(isinstance(m, Error) for m in _master_key_messages()):
        return []
    return _study_key_messages()


def verify_keys_at_startup() -> None:
    """Raise ImproperlyConfigured (one clear message) unless every study's key opens; for entry points."""
    problems = [m for m in _master_key_messages() if isinstance(m, Error)]
    if not problems:
        problems = _study_key_messages()
    if problems:
        lines = "\n".join(f"  [{m.id}] {m.msg} {m.hint or ''}".rstrip() for m in problems)
        raise ImproperlyConfigured(f"The encryption keys are not usable; refusing to start:\n{lines}")
