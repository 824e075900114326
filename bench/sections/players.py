"""Simulated players: a consenting participant, a started session and its simulated events."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from bench import setup
from bench.client import Http, run_parallel
from bench.setup import Bench
from games.simulate import TargetPolicy, simulate_session

_SEEDS = itertools.count()


@dataclass
class Player:
    token: str
    session_id: str
    schedule: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def events_path(self) -> str:
        return f"/api/v1/game/sessions/{self.session_id}/events/"


def players(bench: Bench, http: Http, count: int, *, clients: int = 8) -> list[Player]:
    """``count`` players whose sessions were started through the real API (POST /api/v1/game/sessions/)."""
    tokens = setup.participants(bench, count)

    def start(token: str) -> Player:
        reply = http.post(bench.host, "/api/v1/game/sessions/", {"client_info": {"bench": True}}, token=token)
        if reply.status not in (200, 201):
            raise RuntimeError(f"session start failed: {reply.status} {reply.body[:200]!r}")
        body = reply.json()
        schedule = body["balloons"]
        seed = next(_SEEDS)
        # Varied risk-taking, as in a real sample: targets between 20 % and 60 % of capacity.
        policy = TargetPolicy(target=0.2 + 0.4 * ((seed * 37) % 100) / 100, jitter=3.0, relative=True)
        events = simulate_session(
            schedule, policy, seed=f"bench-{body['session_id']}", start_ts=int(time.time() * 1000)
        ).events
        return Player(token=token, session_id=body["session_id"], schedule=schedule, events=events)

    made, _ = run_parallel([lambda t=t: start(t) for t in tokens], clients)
    return made


def batches(events: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [events[i : i + size] for i in range(0, len(events), size)]
