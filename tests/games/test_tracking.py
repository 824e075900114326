"""The schedule-tracking test flags scripts that collect just before each burst, not honest play."""

from __future__ import annotations

import random

import pytest

from games.config import normalize_game_config
from games.schedule import draw_schedule
from games.tracking import ALPHA, FinishedBalloon, at_most, schedule_tracking

THREE_COLOURS = {
    "balloons_per_color": 10,
    "colors": [
        {"color": "blue", "max_pumps": 128},
        {"color": "orange", "max_pumps": 32},
        {"color": "yellow", "max_pumps": 8},
    ],
}


def schedule(seed: int, config: dict | None = None) -> list[tuple[str, int, int]]:
    drawn = draw_schedule(f"tracking-{seed}", normalize_game_config(config or {}))
    return [(b.color, b.max_pumps, b.explosion_point) for b in drawn]


def honest(seed: int, config: dict | None = None, style: str = "steady") -> list[FinishedBalloon]:
    """A player whose stopping point never depends on the hidden explosion point."""
    rng = random.Random(seed)
    share = rng.uniform(0.1, 0.7)
    played = []
    for n, (color, max_pumps, e) in enumerate(schedule(seed, config)):
        target = share * max_pumps
        if style == "learning":  # grows bolder over the session
            target *= 0.5 + n / 30
        if style == "after_loss" and played and played[-1].popped:  # careful after a pop
            target *= 0.6
        stop = max(1, min(max_pumps, round(rng.gauss(target, max(1.0, 0.15 * target)))))
        played.append(FinishedBalloon(color, e, min(stop, e), stop >= e))
    return played


def script(
    seed: int, config: dict | None = None, *, cap: float | None = None, offset: int = 1
) -> list[FinishedBalloon]:
    """Collects ``offset`` pumps before each burst (or at ``cap`` of capacity, if sooner)."""
    rng = random.Random(seed)
    played = []
    for color, max_pumps, e in schedule(seed, config):
        stop = e - rng.randint(1, offset)
        if cap is not None:
            stop = min(stop, round(cap * max_pumps))
        played.append(FinishedBalloon(color, e, stop, False) if stop >= 1 else FinishedBalloon(color, e, e, True))
    return played


def test_the_poisson_binomial_tail_is_exact_on_small_cases():
    assert at_most([0.5, 0.5], 0) == pytest.approx(0.25)
    assert at_most([0.5, 0.5], 1) == pytest.approx(0.75)
    assert at_most([0.2, 0.9, 0.4], 0) == pytest.approx(0.8 * 0.1 * 0.6)
    assert at_most([], 0) == 1.0


@pytest.mark.parametrize("config", [None, THREE_COLOURS], ids=["one colour", "three colours"])
@pytest.mark.parametrize("style", ["steady", "learning", "after_loss"])
def test_honest_play_is_almost_never_flagged(config, style):
    results = [schedule_tracking(honest(seed, config, style)) for seed in range(2000 // 6 * 2)]
    judged = [r for r in results if r is not None]
    flagged = sum(r["flagged"] for r in judged)
    assert len(judged) > 0.9 * len(results)
    assert flagged / len(judged) <= ALPHA * 5, flagged  # conservative by construction (see the module)


@pytest.mark.parametrize("config", [None, THREE_COLOURS], ids=["one colour", "three colours"])
@pytest.mark.parametrize(("cap", "offset"), [(None, 1), (None, 4), (0.6, 1)], ids=["e-1", "e-1..4", "capped"])
def test_play_that_tracks_the_schedule_is_flagged(config, cap, offset):
    results = [schedule_tracking(script(seed, config, cap=cap, offset=offset)) for seed in range(100)]
    assert sum(bool(r and r["flagged"]) for r in results) >= 95


def test_too_little_play_is_not_judged():
    assert schedule_tracking(script(1)[:8]) is None
