"""Summaries of repeated measurements (pure: no Django)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any


def spread(values: Sequence[float], digits: int = 2) -> dict[str, Any]:
    """min/median/max (and n) of repeated runs; an empty list gives None values."""
    if not values:
        return {"min": None, "median": None, "max": None, "n": 0}
    return {
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "max": round(max(values), digits),
        "n": len(values),
    }


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (the value below which pct % of the samples fall)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(samples_ms: Sequence[float], digits: int = 2) -> dict[str, Any]:
    """p50/p95/p99/max of latencies in milliseconds."""
    keys = {"p50": 50, "p95": 95, "p99": 99}
    out: dict[str, Any] = {
        name: (None if (v := percentile(samples_ms, p)) is None else round(v, digits)) for name, p in keys.items()
    }
    out["max"] = round(max(samples_ms), digits) if samples_ms else None
    out["n"] = len(samples_ms)
    return out


def ratio(numerator: float | None, denominator: float | None, digits: int = 3) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, digits)


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


def format_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain fixed-width text table."""
    cells = [[str(h) for h in header]] + [[fmt(c) if not isinstance(c, str) else c for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        # Labels left-aligned, numbers right-aligned.
        padded = (cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        lines.append("  ".join(padded))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
