"""Game configuration of a study: the Balloon task's protocol, validated against a JSON Schema.

Pure module (no Django): defaults follow Lejuez et al. (2002) and docs/science of the platform.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

GAME_CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Balloon game configuration",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "variant": {"enum": ["standard", "automatic"], "description": "automatic = Pleskac et al. 2008"},
        "balloons_per_color": {"type": "integer", "minimum": 1, "maximum": 200},
        "colors": {
            "type": "array",
            "minItems": 1,
            "maxItems": 6,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["color", "max_pumps"],
                "properties": {
                    "color": {"type": "string", "pattern": "^[a-z]{2,20}$"},
                    "max_pumps": {"type": "integer", "minimum": 2, "maximum": 1024},
                },
            },
        },
        "reward_per_pump": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "block_size": {"type": "integer", "minimum": 1, "maximum": 100},
        "completion_redirect_url": {"type": ["string", "null"], "format": "uri", "maxLength": 500},
        "pump_confirmation": {
            "enum": ["client", "server"],
            "description": "server = the client never holds the explosion points; each pump is confirmed (online only)",
        },
    },
}

# The standard task: 30 blue balloons of 128 pumps, 5 cents a pump, blocks of 10.
DEFAULT_GAME_CONFIG: dict[str, Any] = {
    "variant": "standard",
    "balloons_per_color": 30,
    "colors": [{"color": "blue", "max_pumps": 128}],
    "reward_per_pump": 0.05,
    "currency": "USD",
    "block_size": 10,
    "completion_redirect_url": None,
    "pump_confirmation": "client",
}

_VALIDATOR = jsonschema.Draft202012Validator(GAME_CONFIG_SCHEMA)


class GameConfigError(ValueError):
    """The configuration does not fit the schema; ``errors`` maps a JSON path to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in errors.items()))
        self.errors = errors


def normalize_game_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """Fill defaults, validate, and return a new dict; raise GameConfigError when invalid."""
    if config is not None and not isinstance(config, dict):
        raise GameConfigError({"$": "the game configuration must be a JSON object"})
    merged = copy.deepcopy(DEFAULT_GAME_CONFIG)
    merged.update(copy.deepcopy(config or {}))
    errors = {
        ("$." + ".".join(str(p) for p in err.absolute_path)) if err.absolute_path else "$": err.message
        for err in _VALIDATOR.iter_errors(merged)
    }
    colors = [c.get("color") for c in merged.get("colors", []) if isinstance(c, dict)]
    if len(colors) != len(set(colors)):
        errors["$.colors"] = "each colour may appear only once"
    if errors:
        raise GameConfigError(errors)
    return merged
