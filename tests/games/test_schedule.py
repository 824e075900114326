"""Explosion schedules are drawn from a recorded seed by the array method: reproducible and uniform."""

from __future__ import annotations

from collections import Counter

import pytest
from scipy import stats

from games.config import normalize_game_config
from games.schedule import SeededStream, array_explosion_point, draw_schedule, new_seed


def test_the_same_seed_always_gives_the_same_schedule():
    config = normalize_game_config({})
    seed = "00112233445566778899aabbccddeeff"
    assert draw_schedule(seed, config) == draw_schedule(seed, config)


def test_the_schedule_is_pinned_by_the_algorithm_not_by_a_library_version():
    # Recomputing a recorded session years later must give the same points: pin a few values.
    schedule = draw_schedule("00112233445566778899aabbccddeeff", normalize_game_config({}))
    assert [b.explosion_point for b in schedule[:5]] == [36, 22, 93, 95, 104]


def test_different_seeds_give_different_schedules():
    config = normalize_game_config({})
    assert draw_schedule(new_seed(), config) != draw_schedule(new_seed(), config)


def test_a_session_has_every_colour_its_configured_number_of_times():
    config = normalize_game_config(
        {"balloons_per_color": 10, "colors": [{"color": "blue", "max_pumps": 128}, {"color": "orange", "max_pumps": 8}]}
    )
    schedule = draw_schedule(new_seed(), config)
    assert [b.index for b in schedule] == list(range(20))
    assert Counter(b.color for b in schedule) == {"blue": 10, "orange": 10}
    assert all(1 <= b.explosion_point <= b.max_pumps for b in schedule)
    assert all(b.max_pumps == (8 if b.color == "orange" else 128) for b in schedule)


def test_explosion_points_are_uniform_on_one_to_max():
    stream = SeededStream("uniformity", "test")
    points = [array_explosion_point(stream, 8) for _ in range(4000)]
    counts = Counter(points)
    assert set(counts) == set(range(1, 9))
    # A chi-square goodness-of-fit test against the uniform distribution on 1..8.
    assert stats.chisquare([counts[k] for k in range(1, 9)]).pvalue > 0.001


def test_the_stream_never_returns_a_value_out_of_range():
    stream = SeededStream("bounds", "test")
    assert {stream.below(3) for _ in range(300)} == {0, 1, 2}
    with pytest.raises(ValueError):
        stream.below(0)
