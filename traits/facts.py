"""The behaviour behind each trait score, in the player's own units (pure, no Django).

What the participant's page quotes ("you pumped 35 times on average; a balloon could take up to
128"): pumps of the balloon actually played, not the 128-pump rescaling of the indicators, and
seconds rather than log-milliseconds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from traits.metrics import Trial

STANDARD_CAPACITY = 128  # the indicators' scale (traits.mapping rescales every colour to it)
PER_BLOCK = 10.0  # learning is said per 10 balloons, the BART's block (Lejuez et al. 2002)


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def facts(key: str, trials: Sequence[Trial], value: float | None) -> dict[str, Any]:
    """The behaviour behind a score in the player's own units (pumps of the real balloon, seconds).

    `value` is the dimension's indicator (pumps rescaled to a 128-pump balloon), turned back into
    pumps of the balloon played for the sentences that quote it.
    """
    scale = STANDARD_CAPACITY / max((t.max_pumps for t in trials), default=STANDARD_CAPACITY)
    raw = [float(t.pumps) for t in trials]
    kept = [p for p, t in zip(raw, trials, strict=True) if not t.exploded]
    if key == "risk_tolerance":
        capacity = max((t.max_pumps for t in trials), default=None)
        return {"mean_pumps": _mean(kept), "max_pumps": capacity, "n_collected": len(kept), "n_balloons": len(raw)}
    if key == "reaction_to_loss":
        pairs = [(a, b) for a, b in itertools.pairwise(trials) if not b.exploded]
        after_pop = [float(b.pumps) for a, b in pairs if a.exploded]
        after_collect = [float(b.pumps) for a, b in pairs if not a.exploded]
        change = None if value is None else value / scale
        return {
            "after_pop_mean": _mean(after_pop),
            "after_collect_mean": _mean(after_collect),
            "n_after_pop": len(after_pop),
            "n_after_collect": len(after_collect),
            "change_pumps": change,
        }
    if key == "decision_pace":
        gaps = [b - a for t in trials for a, b in itertools.pairwise(t.pump_ts)]
        return {"median_ms": float(np.median(gaps)) if gaps else None, "n_intervals": len(gaps)}
    if key == "consistency":
        sd = float(np.std(kept, ddof=1)) if len(kept) >= 2 else None
        return {"mean_pumps": _mean(kept), "sd_pumps": sd, "n_collected": len(kept)}
    if key == "learning":
        if value is None or not kept:
            return {"per_10_balloons": None, "start_pumps": None, "end_pumps": None}
        slope = value / scale / PER_BLOCK  # raw pumps per balloon
        pos = [float(i) for i, t in enumerate(trials) if not t.exploded]
        centre = _mean(kept) or 0.0
        mid = _mean(pos) or 0.0
        last = float(len(trials) - 1)
        return {
            "per_10_balloons": slope * PER_BLOCK,
            "start_pumps": centre + slope * (0.0 - mid),
            "end_pumps": centre + slope * (last - mid),
        }
    return {}
