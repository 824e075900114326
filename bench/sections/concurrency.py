"""Section 3: many participants playing at human pace, each sending its queue in batches.

Every participant replays its simulated session in real time (the simulator's `t` is the
monotonic clock of a human playing: ~280 ms between pumps, ~900 ms to decide) and flushes its
queue every FLUSH_S seconds, as the browser client does. A few batches are deliberately sent
twice (a response lost on the way back, then retried). Afterwards the stored rows are compared
with what the clients saw acknowledged: nothing may be missing, nothing stored twice.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection
from django_tenants.utils import tenant_context

from bench.client import Http
from bench.sections.players import Player, players
from bench.setup import Bench
from bench.stats import latency_summary

FLUSH_S = 2.0
MAX_BATCH = 25
RETRY_SHARE = 0.03


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.acknowledged: set[str] = set()
        self.accepted = 0
        self.duplicates_reported = 0
        self.deliberate_retry_events = 0
        self.failed_requests = 0
        self.rejected = 0
        self.statuses: dict[int, int] = {}


def _send(http: Http, bench: Bench, player: Player, batch: list[dict[str, Any]], state: _State, retry: bool) -> bool:
    body = {"sent_at": int(time.time() * 1000), "events": batch}
    try:
        reply = http.post(bench.host, player.events_path, body, token=player.token)
    except OSError:
        with state.lock:
            state.failed_requests += 1
        return False
    with state.lock:
        state.latencies.append(reply.ms)
        state.statuses[reply.status] = state.statuses.get(reply.status, 0) + 1
        if reply.status != 200:
            state.failed_requests += 1
            return False
        result = reply.json()
        state.accepted += result["accepted"]
        state.duplicates_reported += result["duplicates"]
        state.rejected += len(result["rejected"])
        if retry:
            state.deliberate_retry_events += len(batch)
        state.acknowledged.update(e["event_id"] for e in batch)
    return True


def section_concurrency(
    bench: Bench, http: Http, *, participants: int, duration: float, senders: int | None = None
) -> dict[str, Any]:
    # Enough sender threads that a batch never waits for a free one (its wait would be hidden from
    # the latency): a quarter of the players, as a flush takes well under half the 2-s interval.
    senders = senders or max(32, participants // 4)
    group = players(bench, http, participants)
    rng = random.Random(7)  # noqa: S311 - load shape, not security
    state = _State()
    # Each participant starts within the first flush interval, then plays on its own clock.
    starts = {p.session_id: rng.uniform(0, FLUSH_S) for p in group}
    cursor = {p.session_id: 0 for p in group}
    pending: dict[str, list[dict[str, Any]]] = {p.session_id: [] for p in group}
    busy: set[str] = set()
    heap = [(starts[p.session_id] + FLUSH_S, i) for i, p in enumerate(group)]
    heapq.heapify(heap)
    begin = time.monotonic()

    def flush(player: Player, batch: list[dict[str, Any]]) -> None:
        ok = _send(http, bench, player, batch, state, retry=False)
        if ok and rng.random() < RETRY_SHARE:
            _send(http, bench, player, batch, state, retry=True)
        with state.lock:
            if not ok:  # kept in the client's queue, sent again with the next flush
                pending[player.session_id][:0] = batch
            busy.discard(player.session_id)

    with ThreadPoolExecutor(max_workers=senders) as pool:
        while heap:
            due, i = heapq.heappop(heap)
            now = time.monotonic() - begin
            if due > now:
                time.sleep(due - now)
            player = group[i]
            sid = player.session_id
            elapsed_ms = (due - starts[sid]) * 1000.0
            final = due >= duration
            with state.lock:
                if sid in busy:  # the previous request is still out: the browser waits too
                    heapq.heappush(heap, (due + 0.05, i))
                    continue
                events = player.events
                while cursor[sid] < len(events) and events[cursor[sid]]["t"] <= elapsed_ms:
                    pending[sid].append(events[cursor[sid]])
                    cursor[sid] += 1
                batch, pending[sid] = pending[sid][:MAX_BATCH], pending[sid][MAX_BATCH:]
                if batch:
                    busy.add(sid)
            if batch:
                pool.submit(flush, player, batch)
            give_up = due > duration + 30.0  # a server that keeps failing must not hang the run
            if not give_up and (not final or pending[sid] or batch):
                heapq.heappush(heap, (due + FLUSH_S if not final else due + 0.1, i))
    wall = time.monotonic() - begin
    return _verify(bench, group, state, wall, participants, duration)


def _verify(
    bench: Bench, group: list[Player], state: _State, wall: float, participants: int, duration: float
) -> dict[str, Any]:
    ids = [p.session_id for p in group]
    with tenant_context(bench.study), connection.cursor() as cur:
        cur.execute("SELECT event_id::text FROM games_event WHERE session_id = ANY(%s::uuid[])", [ids])
        stored_ids = [row[0] for row in cur.fetchall()]
    stored = set(stored_ids)
    lost = len(state.acknowledged - stored)
    return {
        "participants": participants,
        "duration_s": round(wall, 1),
        "flush_every_s": FLUSH_S,
        "max_batch": MAX_BATCH,
        "batches": len(state.latencies),
        "events_sent": len(state.acknowledged),
        "events_per_s": round(len(state.acknowledged) / wall, 1),
        "latency_ms": latency_summary(state.latencies),
        "target_p99_ms": 50,
        "deliberate_retry_events": state.deliberate_retry_events,
        "duplicates_reported": state.duplicates_reported,
        "accepted": state.accepted,
        "rejected": state.rejected,
        "failed_requests": state.failed_requests,
        "statuses": {str(k): v for k, v in state.statuses.items()},
        "stored": len(stored_ids),
        "lost": lost,
        "duplicates_stored": len(stored_ids) - len(stored),
        "unexpected_rows": len(stored - state.acknowledged),
        "accepted_equals_stored": state.accepted == len(stored_ids),
    }
