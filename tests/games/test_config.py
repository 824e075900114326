"""The game configuration is filled with Lejuez defaults and validated against its schema."""

from __future__ import annotations

import pytest

from games.config import DEFAULT_GAME_CONFIG, GameConfigError, normalize_game_config


def test_an_empty_config_becomes_the_standard_task():
    assert normalize_game_config(None) == DEFAULT_GAME_CONFIG
    assert normalize_game_config({}) == DEFAULT_GAME_CONFIG


def test_several_colours_are_accepted():
    config = normalize_game_config(
        {"colors": [{"color": "blue", "max_pumps": 128}, {"color": "orange", "max_pumps": 32}]}
    )
    assert [c["max_pumps"] for c in config["colors"]] == [128, 32]


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({"balloons_per_color": 0}, "$.balloons_per_color"),
        ({"colors": []}, "$.colors"),
        ({"colors": [{"color": "blue", "max_pumps": 1}]}, "$.colors.0.max_pumps"),
        ({"reward_per_pump": -1}, "$.reward_per_pump"),
        ({"variant": "turbo"}, "$.variant"),
        ({"unknown": 1}, "$"),
        ({"colors": [{"color": "blue", "max_pumps": 8}, {"color": "blue", "max_pumps": 16}]}, "$.colors"),
    ],
)
def test_an_invalid_config_names_the_offending_field(config, path):
    with pytest.raises(GameConfigError) as info:
        normalize_game_config(config)
    assert path in info.value.errors


def test_a_non_object_is_refused():
    with pytest.raises(GameConfigError):
        normalize_game_config(["not", "an", "object"])  # type: ignore[arg-type]


def test_defaults_are_not_shared_between_calls():
    first = normalize_game_config(None)
    first["colors"].append({"color": "red", "max_pumps": 8})
    assert normalize_game_config(None)["colors"] == [{"color": "blue", "max_pumps": 128}]
