"""Section 1b: what one ingestion request costs the server, in-process (no socket, no client).

Django's test client sends pre-encoded batches through the whole stack (middleware, the batch
view, validation, SQL, commit) in this process; the time per request and the SQL statements per
request are what a worker spends on one batch. bench/profile_ingestion.py adds cProfile.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from bench.setup import Bench

Request = tuple[Any, str, str]


def prepare_requests(bench: Bench, *, batch: int, count: int) -> list[Request]:
    """(session id, token, body) for ``count`` requests of ``batch`` events, sessions made in-process."""
    from consent.services import consent_give
    from games.services import session_start
    from games.simulate import TargetPolicy, simulate_session

    out: list[Request] = []
    with tenant_context(bench.study):
        while len(out) < count:
            given = consent_give(version=bench.consent_version, sha256=bench.consent_sha256, method="api")
            session, _ = session_start(participant=given.participant)
            events = simulate_session(
                session.schedule,
                TargetPolicy(target=0.4, relative=True),
                seed=str(session.pk),
                start_ts=int(time.time() * 1000),
            ).events
            for i in range(0, len(events) - batch + 1, batch):  # full batches only
                body = json.dumps({"sent_at": int(time.time() * 1000), "events": events[i : i + batch]})
                out.append((session.pk, given.token, body))
    connection.set_schema_to_public()
    return out[:count]


def send_all(bench: Bench, requests: list[Request]) -> tuple[float, list[dict[str, Any]]]:
    """Send every request; return the seconds taken and the SQL statements captured."""
    client = Client(HTTP_HOST=bench.host)
    queries: list[dict[str, Any]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # Django's own capture rounds to whole milliseconds; most of these statements take less.
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"sql": sql, "time": time.perf_counter() - started})

    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        for session_id, token, body in requests:
            reply = client.post(
                f"/api/v1/game/sessions/{session_id}/events/",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            if reply.status_code != 200:
                raise RuntimeError(f"batch refused: {reply.status_code} {reply.content[:300]!r}")
        seconds = time.perf_counter() - started
    return seconds, queries


def statement_shapes(queries: list[dict[str, Any]], requests: int) -> list[dict[str, Any]]:
    shapes: dict[str, list[float]] = {}
    for q in queries:
        shape = " ".join(q["sql"].split())[:100]
        shape = shape.split(" (")[0] if shape.startswith(("EXECUTE", "PREPARE")) else shape  # not per value
        shapes.setdefault(shape, []).append(float(q["time"]))
    ranked = sorted(shapes.items(), key=lambda kv: -sum(kv[1]))
    return [
        {
            "statement": sql,
            "per_request": round(len(t) / requests, 2),
            "ms_per_request": round(sum(t) * 1000 / requests, 3),
        }
        for sql, t in ranked
    ]


def section_request_cost(bench: Bench, *, batch: int = 50, requests: int = 200, rounds: int = 3) -> dict[str, Any]:
    warm = prepare_requests(bench, batch=batch, count=20)
    send_all(bench, warm)  # imports, prepared statements, the first connection: not the steady state
    per_request: list[float] = []
    statements: list[dict[str, Any]] = []
    count = 0
    for _ in range(rounds):
        batch_requests = prepare_requests(bench, batch=batch, count=requests)
        seconds, queries = send_all(bench, batch_requests)
        per_request.append(seconds * 1000 / len(batch_requests))
        statements, count = statement_shapes(queries, len(batch_requests)), len(queries) / len(batch_requests)
    confirmed = confirm_cost(bench, pumps=60 if requests < 100 else 300)
    return {
        "confirmed_pump_in_process": confirmed,
        "batch_events": batch,
        "requests_per_round": requests,
        "ms_per_request": {
            "min": round(min(per_request), 2),
            "median": round(statistics.median(per_request), 2),
            "max": round(max(per_request), 2),
            "n": len(per_request),
        },
        "sql_statements_per_request": round(count, 2),
        "statements_last_round": statements,
    }


def confirm_cost(bench: Bench, *, pumps: int = 300) -> dict[str, Any]:
    """One confirmed pump (pump_confirmation "server", games/confirmation.py), in-process: ms a request."""
    from django.db.models import F

    from consent.services import consent_give
    from games.models import Balloon, GameSession
    from games.services import session_start

    jobs: list[tuple[Any, str, int, int]] = []
    with tenant_context(bench.study):
        while len(jobs) < pumps + 20:
            given = consent_give(version=bench.consent_version, sha256=bench.consent_sha256, method="api")
            session, _ = session_start(participant=given.participant)
            session.config = {**session.config, "pump_confirmation": "server"}
            GameSession.objects.filter(pk=session.pk).update(config=session.config)
            # The first balloon's safe pumps: the request measured never bursts (a burst costs the same).
            safe = Balloon.objects.filter(session=session, index=0).values_list(F("explosion_point") - 1, flat=True)[0]
            jobs += [(session.pk, given.token, 0, n) for n in range(1, safe + 1)]
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=bench.host)

    def send(job: tuple[Any, str, int, int]) -> float:
        session_id, token, balloon, n = job
        started = time.perf_counter()
        reply = client.post(
            f"/api/v1/game/sessions/{session_id}/confirm/",
            json.dumps({"balloon": balloon, "action": "pump", "count": n}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        if reply.status_code != 200:
            raise RuntimeError(f"confirm refused: {reply.status_code} {reply.content[:200]!r}")
        return (time.perf_counter() - started) * 1000

    for job in jobs[:20]:
        send(job)  # warm-up
    times = sorted(send(job) for job in jobs[20 : 20 + pumps])
    return {
        "requests": len(times),
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(len(times) * 0.95)], 2),
        "max_ms": round(times[-1], 2),
    }
