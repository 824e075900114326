"""The explosion schedule of a session, drawn from a recorded seed (pure, no Django).

Lejuez et al. (2002) used the "array" method: each pump draws one number without replacement
from 1..max_pumps and the balloon pops when "1" comes up, which makes the explosion point
uniform on 1..max_pumps. We run that procedure literally, with a random stream derived from
the session's seed by SHA-256 in counter mode: unlike `random` or numpy generators, that stream
is fixed by this file alone, so the schedule can be recomputed in any language, any year.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

SCHEDULE_ALGORITHM = "array-sha256/1"


def new_seed() -> str:
    """A fresh 128-bit seed as 32 hex digits (stored with the session)."""
    return secrets.token_hex(16)


class SeededStream:
    """Uniform integers from SHA-256(seed | label | counter) with rejection sampling (no modulo bias)."""

    def __init__(self, seed: str, label: str) -> None:
        self._prefix = f"{seed}|{label}|".encode()
        self._counter = 0

    def _words(self) -> Iterator[int]:
        while True:
            digest = hashlib.sha256(self._prefix + str(self._counter).encode()).digest()
            self._counter += 1
            for i in range(0, 32, 8):
                yield int.from_bytes(digest[i : i + 8], "big")

    def below(self, n: int) -> int:
        """An integer uniform on 0..n-1."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (2**64 // n) * n
        for word in self._words():
            if word < limit:
                return word % n
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class ScheduledBalloon:
    index: int
    color: str
    max_pumps: int
    explosion_point: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def array_explosion_point(stream: SeededStream, max_pumps: int) -> int:
    """Draw without replacement from 1..max_pumps until 1 comes up; the draw count is the point."""
    urn = list(range(1, max_pumps + 1))
    for draw in range(1, max_pumps + 1):
        if urn.pop(stream.below(len(urn))) == 1:
            return draw
    raise AssertionError("the urn always holds a 1")  # pragma: no cover


def balloon_order(seed: str, colors: list[dict[str, Any]], balloons_per_color: int) -> list[dict[str, Any]]:
    """The colours in play order: each colour `balloons_per_color` times, shuffled by the seed."""
    order = [color for color in colors for _ in range(balloons_per_color)]
    stream = SeededStream(seed, "order")
    for i in range(len(order) - 1, 0, -1):  # Fisher-Yates
        j = stream.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def draw_schedule(seed: str, config: dict[str, Any]) -> list[ScheduledBalloon]:
    """Every balloon of the session with its colour, capacity and explosion point."""
    order = balloon_order(seed, list(config["colors"]), int(config["balloons_per_color"]))
    schedule = []
    for index, color in enumerate(order):
        stream = SeededStream(seed, f"balloon:{index}")
        max_pumps = int(color["max_pumps"])
        schedule.append(ScheduledBalloon(index, color["color"], max_pumps, array_explosion_point(stream, max_pumps)))
    return schedule
