"""Sections 1 and 2: the API path against PostgreSQL COPY of the same rows, and against the naive path.

Section 1 measures the limit with the very rows the API stored: after each API run those rows
are copied out, deleted, and written back with one `COPY ... FROM STDIN` into the same table
(same indexes, same unique constraint), timed to the commit. Section 2 posts one event per
request to the bench-only ModelSerializer endpoint with the same client concurrency.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

from django.db import connection, transaction
from django_tenants.utils import tenant_context

from bench.client import Http, run_parallel
from bench.sections.players import Player, batches, players
from bench.setup import Bench
from bench.stats import ratio, spread

BATCH_SIZES = (50, 200, 500)


def _encoded(player: Player, size: int) -> list[bytes]:
    """The player's batches as JSON bytes, made before the clock starts.

    A participant's browser serialises its own batches; charging that work to the server's two
    cores would understate what the server does. Only ``sent_at`` is stamped at send time.
    """
    return [json.dumps(batch).encode() for batch in batches(player.events, size)]


def _send_all(http: Http, host: str, player: Player, encoded: list[bytes]) -> tuple[int, int, int]:
    """All of one player's events in order, one encoded batch per request; (accepted, duplicates, errors)."""
    accepted = duplicates = errors = 0
    for events in encoded:
        body = b'{"sent_at": %d, "events": %b}' % (int(time.time() * 1000), events)
        reply = http.post(host, player.events_path, raw=body, token=player.token)
        if reply.status != 200:
            errors += 1
            continue
        answer = reply.json()
        accepted += answer["accepted"]
        duplicates += answer["duplicates"]
        errors += len(answer["rejected"])
    return accepted, duplicates, errors


def api_run(bench: Bench, http: Http, group: list[Player], size: int, clients: int) -> dict[str, Any]:
    # One job per player: a session's batches go in order, sessions run concurrently (as in the field).
    encoded = [_encoded(p, size) for p in group]
    jobs = [lambda p=p, e=e: _send_all(http, bench.host, p, e) for p, e in zip(group, encoded, strict=True)]
    results, seconds = run_parallel(jobs, clients)
    events = sum(len(p.events) for p in group)
    accepted = sum(r[0] for r in results)
    return {
        "events": events,
        "accepted": accepted,
        "duplicates": sum(r[1] for r in results),
        "errors": sum(r[2] for r in results),
        "seconds": seconds,
        "events_per_s": accepted / seconds if seconds else 0.0,
    }


_COLUMNS: list[str] = []


def _columns() -> str:
    """Every column of games_event except the generated primary key."""
    if not _COLUMNS:
        from games.models import Event

        _COLUMNS.extend(f.column for f in Event._meta.concrete_fields if f.column != "id")
    return ", ".join(f'"{c}"' for c in _COLUMNS)


def copy_run(bench: Bench, group: list[Player]) -> dict[str, Any]:
    """Copy the API's rows out, delete them, COPY them back in one stream; time the COPY and commit."""
    ids = [p.session_id for p in group]
    cols = _columns()
    with tenant_context(bench.study):
        raw = connection.cursor().cursor  # psycopg2's cursor: copy_expert
        buffer = io.StringIO()
        with transaction.atomic():
            raw.copy_expert(
                f"COPY (SELECT {cols} FROM games_event WHERE session_id = ANY('{{{','.join(ids)}}}'::uuid[])"
                " ORDER BY session_id, seq) TO STDOUT",
                buffer,
            )
            raw.execute("DELETE FROM games_event WHERE session_id = ANY(%s::uuid[])", [ids])
            rows = raw.rowcount
        buffer.seek(0)
        started = time.perf_counter()
        with transaction.atomic():
            raw.copy_expert(f"COPY games_event ({cols}) FROM STDIN", buffer)
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "events_per_s": rows / seconds if seconds else 0.0}


def section_ingestion(bench: Bench, http: Http, *, clients: int, events_per_run: int, reps: int) -> dict[str, Any]:
    copy_rates: list[float] = []
    api: dict[str, dict[str, list[float]]] = {str(s): {"events_per_s": [], "ratio": []} for s in BATCH_SIZES}
    runs: list[dict[str, Any]] = []
    for rep in range(reps):
        for size in BATCH_SIZES:
            group = _players_for(bench, http, events_per_run, clients)
            measured = api_run(bench, http, group, size, clients)
            copied = copy_run(bench, group)
            copy_rates.append(copied["events_per_s"])
            api[str(size)]["events_per_s"].append(measured["events_per_s"])
            api[str(size)]["ratio"].append(measured["events_per_s"] / copied["events_per_s"])
            runs.append({"rep": rep, "batch": size, "api": measured, "copy": copied})
    return {
        "clients": clients,
        "events_per_run": events_per_run,
        "copy_events_per_s": spread(copy_rates, 0),
        "api": {
            size: {"events_per_s": spread(v["events_per_s"], 0), "ratio_to_copy": spread(v["ratio"], 3)}
            for size, v in api.items()
        },
        "target_ratio": 0.4,
        "runs": runs,
    }


def _players_for(bench: Bench, http: Http, events: int, clients: int) -> list[Player]:
    """Enough fresh sessions for about ``events`` events (at least one per client connection)."""
    group: list[Player] = []
    while sum(len(p.events) for p in group) < events or len(group) < clients:
        group.extend(players(bench, http, clients, clients=clients))
    return group


def _naive_send(http: Http, host: str, player: Player, encoded: list[bytes]) -> int:
    ok = 0
    path = f"/bench/naive/sessions/{player.session_id}/events/"
    for event in encoded:
        ok += http.post(host, path, raw=event, token=player.token).status == 201
    return ok


def section_naive(
    bench: Bench, http: Http, *, clients: int, events_per_run: int, reps: int, batch_size: int = 200
) -> dict[str, Any]:
    """Per-event requests vs batches of ``batch_size``, interleaved rep by rep at the same concurrency."""
    naive_rates: list[float] = []
    batch_rates: list[float] = []
    ratios: list[float] = []
    failures = 0
    for _ in range(reps):
        group = _players_for(bench, http, events_per_run, clients)
        per_player = max(1, events_per_run // len(group))
        encoded = [[json.dumps(e).encode() for e in p.events[:per_player]] for p in group]  # as for batches
        jobs = [lambda p=p, e=e: _naive_send(http, bench.host, p, e) for p, e in zip(group, encoded, strict=True)]
        results, seconds = run_parallel(jobs, clients)
        sent = sum(min(per_player, len(p.events)) for p in group)
        failures += sent - sum(results)
        naive = sum(results) / seconds
        batch = api_run(bench, http, _players_for(bench, http, events_per_run * 5, clients), batch_size, clients)
        naive_rates.append(naive)
        batch_rates.append(batch["events_per_s"])
        ratios.append(batch["events_per_s"] / naive)
    return {
        "clients": clients,
        "batch_size": batch_size,
        "naive_events_per_s": spread(naive_rates, 0),
        "batch_events_per_s": spread(batch_rates, 0),
        "ratio": spread(ratios, 1),
        "naive_failures": failures,
        "target_ratio": 20,
        "median_ratio_check": ratio(spread(batch_rates)["median"], spread(naive_rates)["median"], 1),
    }
