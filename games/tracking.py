"""Does this play track the hidden explosion schedule? (pure, no Django; #18 finding 5a)

The browser knows every explosion point (it animates the burst without a round trip), so a
script can collect one pump before each burst: no pops, the largest possible earnings, and risk
measures that mean nothing. Honest play cannot do that, whatever the player's risk-taking.

The test. An honest player decides to stop at some number of pumps T that does not depend on the
(hidden) explosion point e of the balloon in front of them; the balloon pops when T >= e. The
player's own collects on the other balloons of the same colour show their stopping points, so
P(pop on balloon i) is estimated from the share of those collects at or above e_i (leave-one-out,
with Laplace's rule of succession so that no estimate is 0 or 1).
The number of pops is then a sum of independent Bernoulli trials (Poisson-binomial), and the
flag is raised when the observed pops are implausibly few: P(pops <= observed) < ALPHA.

Why it does not flag honest play: collects are the stopping points that survived, so they
under-state T, the estimated pop probabilities are too low, and the test is conservative (a
cautious player whose collects are all small expects few pops and is never surprising). A
tracking script collects at e_j - 1 on every balloon, so about half of its other collects lie at
or above any e_i, it expects about n/2 pops and has none: P ~ 2^-n. Measured on simulated play:
tests/games/test_tracking.py (false positives in 2,000 honest sessions, detection of scripts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TRACKING_VERSION = "schedule-tracking/1.0.0"
ALPHA = 1e-3
MIN_BALLOONS = 10  # below this the test has too little to go on and says nothing
MIN_OTHERS = 3  # other collects of the same colour needed to estimate a balloon's pop probability
FLAG = "tracks_hidden_schedule"


@dataclass(frozen=True, slots=True)
class FinishedBalloon:
    color: str
    explosion_point: int
    pumps: int  # counting the fatal pump of a popped balloon
    popped: bool


def at_most(probabilities: Sequence[float], k: int) -> float:
    """P(X <= k) for X a sum of independent Bernoulli(p_i) (exact, by dynamic programming)."""
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for j, mass in enumerate(dist):
            nxt[j] += mass * (1.0 - p)
            nxt[j + 1] += mass * p
        dist = nxt
    return min(1.0, sum(dist[: k + 1]))


def schedule_tracking(balloons: Sequence[FinishedBalloon]) -> dict[str, Any] | None:
    """The test's figures, or None when there is too little play to judge."""
    probabilities: list[float] = []
    pops = 0
    for i, balloon in enumerate(balloons):
        others = [b.pumps for j, b in enumerate(balloons) if j != i and b.color == balloon.color and not b.popped]
        if len(others) < MIN_OTHERS:
            continue
        at_or_above = sum(1 for t in others if t >= balloon.explosion_point)
        # Laplace's rule of succession: a handful of collects never makes a pop certain or impossible
        # (an honest player's stopping point varies; 0 and 1 would turn one wobble into p = 0).
        probabilities.append((at_or_above + 1) / (len(others) + 2))
        pops += balloon.popped
    if len(probabilities) < MIN_BALLOONS:
        return None
    p_value = at_most(probabilities, pops)
    return {
        "version": TRACKING_VERSION,
        "balloons": len(probabilities),
        "pops": pops,
        "expected_pops": round(sum(probabilities), 2),
        "p_value": float(f"{p_value:.3g}"),
        "flagged": p_value < ALPHA,
    }
