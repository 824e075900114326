"""Where an ingestion request spends its time: cProfile of the real view, in-process.

    python -m bench.profile_ingestion [--batch 50] [--requests 200] [--no-profile]

Uses the bench settings against a fresh bench database (like `make bench`), sends the batches
through Django's test client (middleware, the batch view, validation, SQL: everything but the
socket), and prints the SQL statements per request and the functions with the largest
cumulative and own time. `make bench` measures the same without the profiler (request_cost).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats

from bench import stack


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=50)
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
    from bench import setup
    from bench.sections.request_cost import prepare_requests, send_all, statement_shapes

    setup.migrate()
    bench = setup.prepare()
    send_all(bench, prepare_requests(bench, batch=args.batch, count=20))  # warm up: imports, PREPAREs
    requests = prepare_requests(bench, batch=args.batch, count=args.requests)
    profiler = cProfile.Profile()
    if not args.no_profile:
        profiler.enable()
    seconds, queries = send_all(bench, requests)
    profiler.disable()
    events = args.batch * len(requests)
    print(
        f"{len(requests)} requests, {events} events in {seconds:.2f} s: {seconds * 1000 / len(requests):.2f} ms a "
        f"request, {events / seconds:,.0f} events/s in one process; {len(queries) / len(requests):.1f} SQL "
        "statements per request"
    )
    print(" n/req  ms/req  statement")
    for row in statement_shapes(queries, len(requests))[:25]:
        print(f"{row['per_request']:5.1f}  {row['ms_per_request']:6.2f}  {row['statement']}")
    for order in () if args.no_profile else ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
