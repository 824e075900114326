"""The one shape of a study's settings: a singleton row in the study's schema, absent = the defaults.

Each app's settings (consent, rights, retention, game) subclass ``StudySettings``; the app reads them
with ``<app>_settings_get()`` (its selectors) and writes them with ``<app>_settings_update(*,
acting_user, **changes)`` (its services), which validates, calls ``apply`` and writes one audit
event naming the changed fields. Audit lives in an app above core, hence the split.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.db import models

from core.errors import ApplicationError


class StudySettings(models.Model):
    """One row per study schema; a study that never saved its settings reads the defaults."""

    # A unique constant: the database itself refuses a second row (two concurrent first saves).
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # The fields a settings update may change; anything else is refused by name.
    EDITABLE: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @classmethod
    def get(cls) -> Self:
        """The saved row, or an unsaved row holding the defaults (nothing is written on read)."""
        return cls.objects.filter(singleton=True).first() or cls()  # type: ignore[attr-defined]

    @classmethod
    def refuse_unknown(cls, changes: dict[str, Any]) -> None:
        unknown = sorted(set(changes) - set(cls.EDITABLE))
        if unknown:
            raise ApplicationError(
                "invalid", "Unknown settings.", details={name: ["Unknown setting."] for name in unknown}
            )

    @classmethod
    def apply(cls, changes: dict[str, Any]) -> tuple[Self, list[str]]:
        """Lock (or create) the row, set ``changes``, save; return the row and the names whose value changed.

        Call inside the caller's transaction, after validating: the lock holds until it commits.
        """
        cls.refuse_unknown(changes)
        row = cls.objects.select_for_update().filter(singleton=True).first() or cls()  # type: ignore[attr-defined]
        # Compared with what was in effect (the defaults, before the first save).
        changed = sorted(name for name, value in changes.items() if getattr(row, name) != value)
        for name, value in changes.items():
            setattr(row, name, value)
        row.save()
        return row, changed
