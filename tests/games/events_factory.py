"""Builders of valid `bart-events/1` events for tests: a scripted player produces a session's events."""

from __future__ import annotations

import uuid
from typing import Any


class Player:
    """Emits events in seq order as a real client would (t advances 300 ms per action)."""

    def __init__(self, start_ts: int = 1_732_521_600_000) -> None:
        self.seq = 0
        self.t = 0.0
        self.start_ts = start_ts
        self.events: list[dict[str, Any]] = []

    def emit(self, type_: str, balloon: int | None, data: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "seq": self.seq,
            "type": type_,
            "t": self.t,
            "client_ts": self.start_ts + int(self.t),
            "data": data,
        }
        if balloon is not None:
            event["balloon"] = balloon
        self.seq += 1
        self.t += 300.0
        self.events.append(event)
        return event

    def start(self) -> list[dict[str, Any]]:
        return [self.emit("session_start", None, {"viewport_w": 400, "viewport_h": 800, "touch": False})]

    def balloon(self, index: int, pumps: int, explosion_point: int) -> list[dict[str, Any]]:
        """Pump `pumps` times (stopping at the pop if it comes first), then collect or pop."""
        out = [self.emit("balloon_start", index, {"color": "blue", "max_pumps": 128})]
        for n in range(1, pumps + 1):
            out.append(self.emit("pump", index, {"pump": n, "rt_ms": 250.0, "input": "mouse"}))
            if n == explosion_point:
                out.append(self.emit("pop", index, {"pumps": n}))
                return out
        out.append(self.emit("cash_out", index, {"pumps": pumps, "rt_ms": 400.0, "input": "keyboard"}))
        return out

    def end(self) -> list[dict[str, Any]]:
        return [self.emit("session_end", None, {"reason": "completed"})]
