"""Where an ingestion request spends its time: cProfile of the real view, in-process.

    python -m bench.profile_ingestion [--batch 200] [--requests 200]

Uses the bench settings against a fresh bench database (like `make bench`), sends the batches
through Django's test client (middleware, DRF, authentication, validation, SQL: everything but
the socket), and prints the functions with the largest cumulative and own time, plus the SQL
statements per request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import time

from bench import stack


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true", help="time only: cProfile inflates Python-side costs")
    args = parser.parse_args()
    db_url, _ = stack.bench_database_url()
    broker = stack.redis_url()
    os.environ.update(stack.bench_environment(db_url, broker))
    import django
    import redis

    redis.Redis.from_url(broker).flushdb()  # the dedicated bench database: counters of an earlier run

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from bench import setup
    from consent.services import consent_give

    setup.migrate()
    from games.services import session_start
    from games.simulate import TargetPolicy, simulate_session

    bench = setup.prepare()
    requests = []
    with tenant_context(bench.study):
        for _ in range(max(4, args.requests // 4)):
            given = consent_give(version=bench.consent_version, sha256=bench.consent_sha256, method="api")
            session, _ = session_start(participant=given.participant)
            events = simulate_session(
                session.schedule,
                TargetPolicy(target=0.4, relative=True),
                seed=str(session.pk),
                start_ts=int(time.time() * 1000),
            ).events
            for i in range(0, len(events), args.batch):
                body = json.dumps({"sent_at": int(time.time() * 1000), "events": events[i : i + args.batch]})
                requests.append((session.pk, given.token, body))
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=bench.host)
    requests = requests[: args.requests]
    profiler = cProfile.Profile()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if not args.no_profile:
            profiler.enable()
        for session_id, token, body in requests:
            reply = client.post(
                f"/api/v1/game/sessions/{session_id}/events/",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert reply.status_code == 200, reply.content[:300]
        profiler.disable()
        seconds = time.perf_counter() - started
    events = sum(len(json.loads(b)["events"]) for _, _, b in requests)
    print(
        f"{len(requests)} requests, {events} events in {seconds:.2f} s: {events / seconds:,.0f} events/s "
        f"in one process; {len(queries) / len(requests):.1f} SQL statements per request"
    )
    shapes: dict[str, list[float]] = {}
    for q in queries.captured_queries:
        shape = " ".join(q["sql"].split())[:100]
        shape = shape if "count(DISTINCT seq)" not in shape else "SELECT count(DISTINCT seq) ..."
        shape = shape.split(" (")[0] if shape.startswith(("EXECUTE", "PREPARE")) else shape  # not per value
        shapes.setdefault(shape, []).append(float(q["time"]))
    print(" n/req  ms/req  statement")
    for sql, times in sorted(shapes.items(), key=lambda kv: -sum(kv[1]))[:25]:
        print(f"{len(times) / len(requests):5.1f}  {sum(times) * 1000 / len(requests):6.2f}  {sql}")
    for order in () if args.no_profile else ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
