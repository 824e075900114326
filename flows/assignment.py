"""Balanced (blocked) randomisation of participants to conditions (pure, no Django).

Participants are numbered in the order they join a flow version (0, 1, 2, ...). Number ``n`` falls
in block ``n // size`` at position ``n % size``, where a block holds every condition ``repeats``
times (size = conditions x repeats). Each block's order is a Fisher-Yates shuffle driven by
HMAC-SHA256 of the version's recorded seed and the block number, so:

- in every complete block each condition appears exactly ``repeats`` times, and at any moment the
  counts per condition differ by at most ``repeats`` (by at most one with the default repeats=1);
- the whole sequence is reproducible from the seed alone (docs/flows.md gives the procedure), and
  it does not depend on Python's ``random`` module, whose shuffle may change between versions;
- the next condition cannot be guessed from the ones before within a block beyond the last slot,
  which is what blocking costs (Schulz & Grimes 2002, Lancet 359:515).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ASSIGNMENT_ALGORITHM = "blocked-fisher-yates-hmac-sha256/1"


@dataclass(frozen=True, slots=True)
class Assignment:
    condition: str
    number: int  # the participant's place in the version's sequence (0-based)
    block: int
    position: int  # place inside the block (0-based)
    seed: str
    algorithm: str = ASSIGNMENT_ALGORITHM

    def as_dict(self) -> dict[str, object]:
        return {
            "condition": self.condition,
            "number": self.number,
            "block": self.block,
            "position": self.position,
            "seed": self.seed,
            "algorithm": self.algorithm,
        }


def new_seed() -> str:
    return secrets.token_hex(16)


def _draw(seed: str, block: int, step: int, bound: int) -> int:
    """A uniform integer in [0, bound): a 256-bit HMAC reduced modulo a small bound (bias < 2^-240)."""
    digest = hmac.new(seed.encode(), f"block:{block}:step:{step}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest, "big") % bound


def block_order(seed: str, block: int, conditions: list[str], repeats: int = 1) -> list[str]:
    """The order of one block: every condition ``repeats`` times, shuffled by Fisher-Yates."""
    if not conditions:
        raise ValueError("A block needs at least one condition.")
    if repeats < 1:
        raise ValueError("repeats must be at least 1.")
    order = [c for c in conditions for _ in range(repeats)]
    for i in range(len(order) - 1, 0, -1):
        j = _draw(seed, block, i, i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def assign(seed: str, number: int, conditions: list[str], repeats: int = 1) -> Assignment:
    """The condition of participant ``number`` in the sequence the seed defines."""
    if number < 0:
        raise ValueError("number must be 0 or more.")
    size = len(conditions) * repeats
    block, position = divmod(number, size)
    condition = block_order(seed, block, conditions, repeats)[position]
    return Assignment(condition=condition, number=number, block=block, position=position, seed=seed)
