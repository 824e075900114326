"""The Balloon game as a step kind of a study's flow (flows.registry).

A game step's settings are overrides of the study's game settings (games.GameSettings): only what
the step (or a condition) sets differs from the protocol on the settings page, e.g. a condition
with a higher reward per pump. The step is complete when its game session is completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows import registry
from flows.registry import SettingField, StepKind, StepSettingsError
from games.config import DEFAULT_GAME_CONFIG, GameConfigError, normalize_game_config

# What a flow step or a condition may set; the rest (currency, confirmation, block size) is the
# study's protocol, set once on the settings page.
GAME_KIND = "game"
STEP_SETTINGS = ("variant", "balloons_per_color", "colors", "reward_per_pump")


def _clean(settings: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(settings) - set(STEP_SETTINGS))
    if unknown:
        raise StepSettingsError({"settings": [f"A game step cannot set: {', '.join(unknown)}."]})
    given = {k: v for k, v in settings.items() if v is not None and v != ""}
    try:
        normalize_game_config({**DEFAULT_GAME_CONFIG, **given})
    except GameConfigError as exc:
        errors: dict[str, list[str]] = {}
        for path, message in exc.errors.items():
            name = path.split(".")[1] if path.count(".") else "settings"
            errors.setdefault(name if name in STEP_SETTINGS else "settings", []).append(message)
        raise StepSettingsError(errors) from None
    return given


@dataclass(frozen=True)
class FlowGameStep:
    """The game step now due for a participant: where the session belongs and the settings it plays."""

    version: int
    session_number: int
    step_key: str
    condition: str
    settings: dict[str, Any]
    is_last: bool  # the last step of the study's last session: the game's end screen is the study's end


def due_game_step(participant: Any) -> FlowGameStep | None:
    """The participant's position if it is a game step (joining the live flow on first need), else None."""
    from flows.selectors import position_of
    from flows.services import flow_join

    position = position_of(flow_join(participant=participant))
    if position.state != "step" or position.step is None or position.step.kind != GAME_KIND:
        return None
    return FlowGameStep(
        version=position.version.number,
        session_number=position.session_number,
        step_key=position.step.key,
        condition=position.condition,
        settings=position.settings or {},
        is_last=position.session_number == position.sessions_count and position.step_index == position.steps_in_session,
    )


def game_config_for_step(base: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The study's game configuration with the step's (and condition's) overrides laid over it."""
    return normalize_game_config({**base, **{k: v for k, v in settings.items() if k in STEP_SETTINGS}})


def _preview(request: Any, title: str, settings: dict[str, Any]) -> Any:
    from games.preview import game_preview_response

    return game_preview_response(request, settings, back_url="/manage/flow/", back_label="Back to the flow")


GAME = StepKind(
    key=GAME_KIND,
    label="Balloon game",
    description="The Balloon Analogue Risk Task with the study's protocol; a step may change a few settings.",
    url="/play/",
    fields=(
        SettingField(
            "reward_per_pump", "Reward per pump", "number", "Empty: the study's game settings.", overridable=True
        ),
        SettingField("balloons_per_color", "Balloons per colour", "number", "Empty: the study's.", overridable=True),
        SettingField(
            "colors",
            "Balloon colours",
            "colors",
            "One per line: name and maximum pumps, e.g. 'blue 128'.",
            overridable=True,
        ),
        SettingField(
            "variant",
            "Variant",
            "choice",
            "Empty: the study's.",
            choices=lambda: [("", "The study's"), ("standard", "Standard"), ("automatic", "Automatic")],
            overridable=True,
        ),
    ),
    default_settings=dict,
    clean_settings=_clean,
    preview=_preview,
    per_session_limit=1,  # one open game session per participant at a time (games.services.session_start)
)


def register() -> None:
    registry.register(GAME)
