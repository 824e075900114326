"""Simulated participants: a behaviour policy plays a session's schedule and yields bart-events/1 events.

Pure module (no Django). Used by tests, traits' parameter-recovery checks, the dashboard's end-to-end
test and the benchmark: what it produces is exactly what the browser client would send, so it can
go through the real ingestion path. Everything is reproducible from `seed`.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

START_TS = 1_732_521_600_000  # an arbitrary wall-clock origin (ms); the client's Date.now() at t = 0


class Policy(Protocol):
    """Decides, before each pump opportunity, whether to pump again."""

    def wants_pump(self, *, balloon: Mapping[str, Any], pumps: int, rng: random.Random) -> bool: ...

    def observe(self, *, pumps: int, popped: bool) -> None:
        """Called once a balloon ended (a learning policy updates its beliefs here)."""


@dataclass
class TargetPolicy:
    """Pumps up to a target drawn around `target` (normal, sd `jitter`) per balloon, then collects.

    `target` may be a fraction of max_pumps when `relative` is set (0.5 = half of the capacity).
    """

    target: float = 32.0
    jitter: float = 4.0
    relative: bool = False
    _current: dict[int, int] = field(default_factory=dict, repr=False)

    def wants_pump(self, *, balloon: Mapping[str, Any], pumps: int, rng: random.Random) -> bool:
        index = int(balloon["index"])
        if index not in self._current:
            base = self.target * int(balloon["max_pumps"]) if self.relative else self.target
            self._current[index] = max(0, round(rng.gauss(base, self.jitter)))
        return pumps < self._current[index]

    def observe(self, *, pumps: int, popped: bool) -> None:
        return None


@dataclass
class Par4Policy:
    """The generative model of `bart_par4` (Wallsten, Pleskac & Lejuez 2005; as in hBayesDM).

    p_burst = 1 - (phi + eta * n_succ) / (1 + eta * n_pump); omega = -gamma / ln(1 - p_burst);
    P(pump at opportunity l) = logistic(tau * (omega - l)), l = 1, 2, ...
    """

    phi: float = 0.9
    eta: float = 0.05
    gamma: float = 1.0
    tau: float = 1.0
    n_succ: int = 0
    n_pump: int = 0

    def _omega(self) -> float:
        p_burst = 1.0 - (self.phi + self.eta * self.n_succ) / (1.0 + self.eta * self.n_pump)
        p_burst = min(max(p_burst, 1e-6), 1.0 - 1e-6)
        return -self.gamma / math.log(1.0 - p_burst)

    def wants_pump(self, *, balloon: Mapping[str, Any], pumps: int, rng: random.Random) -> bool:
        z = self.tau * (self._omega() - (pumps + 1))
        p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        return rng.random() < p

    def observe(self, *, pumps: int, popped: bool) -> None:
        self.n_pump += pumps
        self.n_succ += pumps - 1 if popped else pumps


@dataclass
class SimulatedSession:
    events: list[dict[str, Any]]
    pumps: list[int]  # per balloon, including the fatal pump
    popped: list[bool]
    total: float


class _Clock:
    def __init__(self, rng: random.Random, start_ts: int) -> None:
        self.rng = rng
        self.t = 0.0
        self.start_ts = start_ts
        self.seq = 0

    def advance(self, mean_ms: float) -> float:
        """Move time on by a log-normal latency around `mean_ms`; return the latency."""
        rt = max(20.0, self.rng.lognormvariate(math.log(mean_ms), 0.35))
        self.t += rt
        return round(rt, 1)


def simulate_session(
    schedule: Sequence[Mapping[str, Any]],
    policy: Policy,
    *,
    seed: int | str = 0,
    reward_per_pump: float = 0.05,
    start_ts: int = START_TS,
    pump_ms: float = 280.0,
    decide_ms: float = 900.0,
    context_events: bool = True,
    balloons: int | None = None,
) -> SimulatedSession:
    """Play `schedule` (dicts with index, color, max_pumps, explosion_point) with `policy`.

    Returns the events in seq order (event ids are derived from `seed`, so a rerun yields the same
    ids: a re-upload is a pure retry). `balloons` limits how many balloons are played (a quitter).
    """
    rng = random.Random(f"simulate|{seed}")  # noqa: S311 - behaviour simulation, not security
    clock = _Clock(rng, start_ts)
    events: list[dict[str, Any]] = []

    def emit(type_: str, balloon: int | None, data: dict[str, Any]) -> None:
        event: dict[str, Any] = {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "seq": clock.seq,
            "type": type_,
            "t": round(clock.t, 3),
            "client_ts": start_ts + int(clock.t),
            "data": data,
        }
        if balloon is not None:
            event["balloon"] = balloon
        events.append(event)
        clock.seq += 1

    emit("session_start", None, {"viewport_w": 390, "viewport_h": 844, "touch": False, "variant": "standard"})
    pumps_out: list[int] = []
    popped_out: list[bool] = []
    total = 0.0
    played = list(schedule)[: balloons if balloons is not None else None]
    for index, balloon in enumerate(played):
        number = int(balloon["index"])
        explosion = int(balloon["explosion_point"])
        clock.advance(400.0)
        emit("balloon_start", number, {"color": balloon["color"], "max_pumps": int(balloon["max_pumps"])})
        if context_events and index and index % 10 == 0:
            clock.advance(150.0)
            emit("context", number, {"kind": "visibility", "state": "hidden"})
            clock.advance(2500.0)
            emit("context", number, {"kind": "visibility", "state": "visible"})
        pumps, popped = 0, False
        while pumps < int(balloon["max_pumps"]) and policy.wants_pump(balloon=balloon, pumps=pumps, rng=rng):
            rt = clock.advance(decide_ms if pumps == 0 else pump_ms)
            pumps += 1
            emit("pump", number, {"pump": pumps, "rt_ms": rt, "input": "keyboard"})
            if pumps == explosion:
                clock.advance(30.0)
                emit("pop", number, {"pumps": pumps, "total": round(total, 4)})
                popped = True
                break
        if not popped:
            rt = clock.advance(decide_ms)
            earned = round(pumps * reward_per_pump, 4)
            total = round(total + earned, 4)
            emit(
                "cash_out", number, {"pumps": pumps, "earned": earned, "total": total, "rt_ms": rt, "input": "keyboard"}
            )
        policy.observe(pumps=pumps, popped=popped)
        pumps_out.append(pumps)
        popped_out.append(popped)
    clock.advance(500.0)
    reason = "completed" if len(played) == len(schedule) else "quit"
    emit("session_end", None, {"reason": reason, "balloons": len(played), "total": round(total, 4)})
    return SimulatedSession(events=events, pumps=pumps_out, popped=popped_out, total=total)


def batches(events: Sequence[dict[str, Any]], size: int = 20) -> list[list[dict[str, Any]]]:
    """Split events into consecutive batches, as the browser's queue sends them."""
    return [list(events[i : i + size]) for i in range(0, len(events), size)]
