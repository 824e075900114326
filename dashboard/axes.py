"""Axis arithmetic for the dashboard's charts (pure, no Django): 1-2-5 tick steps, histogram bins on
those steps, and fixed ranges whose outside values are counted. The axis itself, its one number
format per axis and the fixed z range are traits/charts.py's (the results page draws with them too)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from traits.charts import EPS, Axis, decimals_for, format_number

EN_DASH = "\u2013"  # between the ends of a whole-number bin: "5-9" printed as a range


def nice_step(raw: float) -> float:
    """The smallest 1, 2 or 5 times 10^k that is at least ``raw`` (1 when ``raw`` is not a positive number)."""
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    exponent = math.floor(math.log10(raw))
    # float("5e-2") is the float nearest 0.05, where 5 * 10**-2 may not be.
    for e in (exponent - 1, exponent, exponent + 1):
        for mantissa in (1, 2, 5):
            step = float(f"{mantissa}e{e}")
            if step >= raw * (1 - EPS):
                return step
    return float(f"1e{exponent + 2}")  # unreachable: 1e(exponent + 1) > raw


def nice_multiple(raw: float, base: float) -> float:
    """The smallest 1-2-5 step that is at least ``raw`` and a whole multiple of ``base`` (so that tick
    marks fall on bin edges)."""
    step = nice_step(max(raw, base))
    for _ in range(12):
        ratio = step / base
        if abs(ratio - round(ratio)) < 1e-6:
            return step
        step = nice_step(step * (1 + 1e-6))
    return base * math.ceil(raw / base)  # a multiple of base, at worst not a 1-2-5 number


def nice_axis(low: float, high: float, *, intervals: int = 5, integer: bool = False, signed: bool = False) -> Axis:
    """An axis covering ``low``…``high``, its ends on ticks, about ``intervals`` 1-2-5 steps long.

    ``integer`` keeps the step whole (counts: no tick at 0.5 sessions).
    """
    if high < low:
        low, high = high, low
    if high == low:
        low, high = low - 0.5, high + 0.5
    step = nice_step((high - low) / max(intervals, 1))
    if integer:
        step = max(1.0, step)
    lo = math.floor(low / step + EPS) * step
    hi = math.ceil(high / step - EPS) * step
    if hi <= lo:
        hi = lo + step
    return Axis(round(lo, 9) + 0.0, round(hi, 9) + 0.0, step, signed)


def count_axis(peak: int, *, intervals: int = 4) -> Axis:
    """0 to at least ``peak`` in whole steps."""
    return nice_axis(0, max(peak, 1), intervals=intervals, integer=True)


def split_outside(values: Iterable[float], low: float, high: float) -> tuple[list[float], int, int]:
    """The values within [low, high], and how many lie below and above it."""
    inside: list[float] = []
    below = above = 0
    for value in values:
        if value < low:
            below += 1
        elif value > high:
            above += 1
        else:
            inside.append(value)
    return inside, below, above


@dataclass(frozen=True)
class Bin:
    low: float
    high: float  # exclusive, except for the last bin (and for discrete bins: low + width - 1 inclusive)
    count: int


@dataclass(frozen=True)
class Binned:
    """A histogram's bins on a tick-aligned axis; values outside a fixed range are counted, not drawn."""

    bins: list[Bin]
    axis: Axis
    width: float
    n: int  # every finite value, inside the range or not
    below: int = 0
    above: int = 0
    discrete: bool = False

    @property
    def peak(self) -> int:
        return max((b.count for b in self.bins), default=0)

    def bin_label(self, index: int) -> str:
        """ "[5, 10)" for a continuous bin (the last one closed), "3" or "5-9" (en dash) for whole-number bins."""
        b = self.bins[index]
        if self.discrete:
            top = round(b.low + self.width - 1)
            return f"{round(b.low)}" if self.width == 1 else f"{round(b.low)}{EN_DASH}{top}"
        closing = "]" if index == len(self.bins) - 1 else ")"
        # The bin width's decimals, not the ticks': bins of 0.5 between ticks 1 apart need one.
        decimals = max(decimals_for(self.width), self.axis.decimals)
        low, high = (format_number(edge, decimals, signed=self.axis.signed) for edge in (b.low, b.high))
        return f"[{low}, {high}{closing}"


def bin_values(
    values: Sequence[float],
    *,
    max_bins: int = 12,
    fixed: tuple[float, float] | None = None,
    discrete: bool = False,
    signed: bool = False,
) -> Binned:
    """Histogram bins of 1-2-5 width, their edges on the axis, the axis ends on its ticks.

    ``fixed`` draws exactly that range (bins from its number, not from n) and counts the values
    outside it; ``discrete`` is for whole numbers (counts): one bin per value or per run of values,
    each drawn centred on its values. Expects finite values.
    """
    n = len(values)
    if fixed is not None:
        inside, below, above = split_outside(values, fixed[0], fixed[1])
        low, high, target = fixed[0], fixed[1], max_bins
    else:
        inside, below, above = list(values), 0, 0
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        # About 2√n bins (at least 5): few values get wide bins, not a comb of ones.
        target = max(1, min(max_bins, max(5, round(2 * math.sqrt(max(n, 1))))))
    span = high - low
    if span == 0 and not discrete:
        low, high, span = low - 0.5, high + 0.5, 1.0
    width = nice_step(span / target) if span > 0 else 1.0
    if discrete:
        # Whole numbers get one bar per value while they fit in max_bins (10 sessions with 0-9
        # explosions: ten bars, not five bars of two values each between ticks).
        width = max(1.0, nice_step(span / max_bins))
    if discrete:
        # Ticks mark values under bars centred on them, not bin edges: any whole 1-2-5 step will do.
        tick = max(1.0, nice_step(span / 5))
    else:
        # Ticks fall on bin edges, so a tick step is a whole number of bins.
        tick = nice_multiple(span / (6 if fixed else 5), width)
    if fixed is not None:
        lo, hi = low, high
    else:
        lo = math.floor(low / tick + EPS) * tick
        hi = math.ceil(high / tick - EPS) * tick
        if hi <= lo and not discrete:
            hi = lo + tick
    if discrete:
        lo = math.floor(lo / width + EPS) * width
        # The last bin is the one holding the largest value: no empty run past the data.
        count = math.floor((high - lo) / width + EPS) + 1
        axis = Axis(lo - 0.5, round(lo + count * width - 0.5, 9), tick, signed)
    else:
        count = max(1, round((hi - lo) / width))
        axis = Axis(round(lo, 9) + 0.0, round(hi, 9) + 0.0, tick, signed)
    counts = [0] * count
    for value in inside:
        index = math.floor((value - lo) / width + EPS)
        counts[min(max(index, 0), count - 1)] += 1
    edges = [round(lo + i * width, decimals_for(width) + 3) + 0.0 for i in range(count + 1)]
    bins = [Bin(edges[i], edges[i + 1], counts[i]) for i in range(count)]
    return Binned(bins, axis, width, n, below, above, discrete)
