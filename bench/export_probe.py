"""One export in a fresh process, so its peak RSS is the export's own (section 6).

    python -m bench.export_probe --slug bench --rows 1000000 --format csv|zip [--tracemalloc]

Streams the study's events through dashboard.export_formats (csv_lines, stream_zip) over a
server-side cursor, discards the bytes as a client would receive them, and prints one JSON line:
rows, bytes, seconds, baseline and peak RSS (sampled every 20 ms) and, when asked, tracemalloc's peak.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any


def _rows(limit: int) -> Iterator[dict[str, Any]]:
    from games.models import Event

    query = Event.objects.order_by().values_list(  # the heap order: an ORDER BY over 1M rows would measure the sort
        "session__participant__participant_code",
        "seq",
        "type",
        "balloon",
        "pumps",
        "t",
        "rt_ms",
        "client_ts",
        "received_at",
        "context_kind",
        "flags",
    )[:limit]
    # iterator() on PostgreSQL is a named (server-side) cursor: rows arrive chunk by chunk.
    for code, seq, type_, balloon, pumps, t, rt, client_ts, received, kind, flags in query.iterator(chunk_size=5000):
        yield {
            "participant": code,
            "session": 1,
            "trial_index": seq,
            "event_type": type_,
            "balloon": balloon,
            "pump": pumps,
            "time_elapsed": t,
            "rt": rt,
            "client_ts": client_ts,
            "received_at": received.isoformat(),
            "context": kind,
            "flagged": 1 if flags else 0,
            "event_schema": "bart-events/1",
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "zip"), default="csv")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    import psutil
    from django_tenants.utils import tenant_context

    from dashboard.export_formats import TRIAL_COLUMNS, csv_lines, stream_zip
    from tenants.models import Study

    study = Study.objects.get(slug=args.slug)
    # Sampled current RSS: getrusage's lifetime peak would hide the export under start-up's peak.
    me = psutil.Process()
    baseline = me.memory_info().rss
    peak = {"rss": baseline}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak["rss"] = max(peak["rss"], me.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if args.tracemalloc:
        tracemalloc.start()
    counted = {"rows": 0}

    def counted_rows() -> Iterator[dict[str, Any]]:
        for row in _rows(args.rows):
            counted["rows"] += 1
            yield row

    size = 0
    started = time.perf_counter()
    with tenant_context(study):
        lines = csv_lines(TRIAL_COLUMNS, counted_rows())
        if args.format == "zip":
            for chunk in stream_zip([("data/events.csv", lines)]):
                size += len(chunk)
        else:
            for text in lines:
                size += len(text.encode("utf-8"))
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    stop.set()
    sampler.join()
    print(
        json.dumps(
            {
                "format": args.format,
                "rows": counted["rows"],
                "bytes": size,
                "seconds": round(seconds, 2),
                "rows_per_s": round(counted["rows"] / seconds),
                "rss_baseline_mb": round(baseline / 2**20, 1),
                "rss_peak_mb": round(peak["rss"] / 2**20, 1),
                "rss_growth_mb": round((peak["rss"] - baseline) / 2**20, 1),
                "tracemalloc_peak_mb": None if traced_peak is None else round(traced_peak / 2**20, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
