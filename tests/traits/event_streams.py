"""Complete bart-events/1 streams for given choices, to feed the pipeline in tests.

A test helper, not production code: the platform's own simulator (games.simulate) plays a
policy; these tests need streams for choices drawn by traits.simulate.simulate_choices.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np


def events_from_choices(
    schedule: Sequence[dict[str, Any]],
    choices: Sequence[tuple[int, int]],
    rng: np.random.Generator,
    *,
    reward_per_pump: float = 0.05,
    start_ts: int = 1_764_000_000_000,
) -> list[dict[str, Any]]:
    """A complete bart-events/1 stream (seq 0…) for the given choices, with plausible timings."""
    events: list[dict[str, Any]] = []
    t = 0.0
    total = 0.0

    def emit(kind: str, balloon: int | None, data: dict[str, Any]) -> None:
        event: dict[str, Any] = {
            "event_id": str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | len(events), version=4)),
            "seq": len(events),
            "type": kind,
            "t": round(t, 3),
            "client_ts": start_ts + int(t),
            "data": data,
        }
        if balloon is not None:
            event["balloon"] = balloon
        events.append(event)

    emit("session_start", None, {"variant": "standard"})
    for balloon, (pumps, exploded) in zip(schedule, choices, strict=True):
        index = int(balloon["index"])
        t += 800.0
        emit("balloon_start", index, {"color": balloon["color"], "max_pumps": int(balloon["max_pumps"])})
        for n in range(1, pumps + 1):
            rt = float(rng.gamma(4.0, 80.0)) if n > 1 else float(rng.gamma(4.0, 200.0))
            t += rt
            emit("pump", index, {"pump": n, "rt_ms": round(rt, 3), "input": "mouse"})
        if exploded:
            emit("pop", index, {"pumps": pumps, "total": round(total, 2)})
        else:
            rt = float(rng.gamma(4.0, 150.0))
            t += rt
            earned = round(reward_per_pump * pumps, 2)
            total = round(total + earned, 2)
            emit(
                "cash_out",
                index,
                {"pumps": pumps, "earned": earned, "total": total, "rt_ms": round(rt, 3), "input": "mouse"},
            )
    t += 500.0
    emit("session_end", None, {"reason": "completed", "balloons": len(schedule), "total": total})
    return events
