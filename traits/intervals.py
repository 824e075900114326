"""Resampling weights for trait intervals that respect the order of play (pure, no Django).

Balloons of one session are not independent draws: a player warms up, learns, reacts to the last
pop. Resampling single balloons treats them as independent and gives intervals that are too
narrow when neighbouring balloons resemble each other. The **circular block bootstrap** (Politis
& Romano 1992; the moving-block bootstrap of Künsch 1989 wrapped around so every balloon is drawn
equally often) resamples runs of consecutive balloons instead, which keeps the dependence within
a run. Each resample is returned as how many times every unit was drawn, so statistics are
computed as weighted sums, vectorised over all resamples at once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def block_length(n: int) -> int:
    """Runs of ⌈n^(1/3)⌉ units: the order Hall, Horowitz & Jing (1995) give for bootstrap variance
    estimates of smooth statistics; 4 for a 30-balloon session, 5 for 90. The coverage this gives
    is measured in docs/traits.md (bench/trait_intervals.py)."""
    return max(1, math.ceil(n ** (1.0 / 3.0) - 1e-9))


def block_counts(n: int, samples: int, rng: np.random.Generator, length: int | None = None) -> Any:
    """(samples × n) draw counts of a circular block bootstrap of n units in play order.

    Each resample joins ⌈n / length⌉ runs of `length` consecutive units starting anywhere (wrapping
    from the last unit to the first) and keeps the first n units drawn; length 1 is the ordinary
    bootstrap.
    """
    length = block_length(n) if length is None else max(1, min(length, n))
    runs = math.ceil(n / length)
    starts = rng.integers(0, n, size=(samples, runs))
    idx = ((starts[:, :, None] + np.arange(length)[None, None, :]) % n).reshape(samples, runs * length)[:, :n]
    flat = (idx + n * np.arange(samples)[:, None]).ravel()
    return np.bincount(flat, minlength=samples * n).reshape(samples, n).astype(np.float64)


def weighted_slope(w: Any, x: Any, y: Any) -> Any:
    """Per row of weights `w`, the weighted least-squares slope of y on x (NaN without spread in x)."""
    # x and y are one session's (broadcast over resamples) or one row per simulated session.
    x, y = np.broadcast_to(x, w.shape), np.broadcast_to(y, w.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = w.sum(axis=1)
        mx = (w * x).sum(axis=1) / k
        my = (w * y).sum(axis=1) / k
        dx = x - mx[:, None]
        sxx = (w * dx * dx).sum(axis=1)
        sxy = (w * dx * (y - my[:, None])).sum(axis=1)
        return np.where((k > 0) & (sxx > 1e-12), sxy / sxx, np.nan)


def weighted_partial_slope(w: Any, t: Any, e: Any, y: Any) -> Any:
    """Per row of `w`, the coefficient of e in the weighted regression y ~ 1 + t + e.

    Frisch–Waugh: regress e and y on (1, t), then y's residual on e's residual; NaN when e has no
    spread left once t is accounted for.
    """
    t, e, y = (np.broadcast_to(v, w.shape) for v in (t, e, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        k = w.sum(axis=1, keepdims=True)
        mt, me, my = ((w * v).sum(axis=1, keepdims=True) / k for v in (t, e, y))
        dt, de, dy = t - mt, e - me, y - my
        stt = (w * dt * dt).sum(axis=1, keepdims=True)
        b_e = np.where(stt > 1e-12, (w * dt * de).sum(axis=1, keepdims=True) / stt, 0.0)
        b_y = np.where(stt > 1e-12, (w * dt * dy).sum(axis=1, keepdims=True) / stt, 0.0)
        re, ry = de - b_e * dt, dy - b_y * dt
        see = (w * re * re).sum(axis=1)
        return np.where(see > 1e-9, (w * re * ry).sum(axis=1) / see, np.nan)
