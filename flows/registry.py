"""The step kinds a flow can hold, registered by the apps that run them (pure, no Django imports).

A kind is what a lab puts in its flow: flows' own information page, games' Balloon game,
questionnaires' questionnaire. An app registers its kind in its ``AppConfig.ready``; a second task
is one more app registering one more kind (its event schema, metrics and page stay in that app).
The flow only knows a kind by this record: where its participant page is, how to clean its
settings, which settings a condition may override, and how to show the builder its form.

An unknown kind is an error wherever it is met (``kind_get`` raises): a stored flow naming a kind
whose app is gone must not turn into "that step was skipped".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class UnknownStepKind(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(f"No step kind is registered as {key!r}.")
        self.key = key


class StepSettingsError(ValueError):
    """Settings a kind refuses: ``errors`` maps a setting name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SettingField:
    """One setting as the flow builder shows it (the builder writes no JSON for anyone)."""

    name: str
    label: str
    type: str  # text | textarea | number | choice | bool | list (comma-separated values)
    help: str = ""
    choices: Callable[[], list[tuple[str, str]]] | None = None  # for "choice"
    overridable: bool = False  # a condition may set its own value


@dataclass(frozen=True)
class StepKind:
    key: str
    label: str
    description: str
    # The participant page that runs the current step of this kind (it reads the step itself).
    url: str
    fields: tuple[SettingField, ...]
    default_settings: Callable[[], dict[str, Any]]
    # Returns the settings complete and normalised, or raises StepSettingsError.
    clean_settings: Callable[[dict[str, Any]], dict[str, Any]]
    # preview(request, title, settings) -> the step's page as a participant would see it, storing
    # nothing (the builder's preview; the caller has checked the manager's study role).
    preview: Callable[..., Any] | None = None
    # How many of this kind a flow may hold in one session (the game keeps one open session).
    per_session_limit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overridable(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.overridable)


_KINDS: dict[str, StepKind] = {}


def register(kind: StepKind) -> None:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing is not kind:
        # Two apps claiming one key is a configuration error, not a race to win.
        if existing.url != kind.url:
            raise ValueError(f"Step kind {kind.key!r} is registered twice.")
    _KINDS[kind.key] = kind


def kind_get(key: str) -> StepKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise UnknownStepKind(key) from None


def kinds() -> list[StepKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)
