"""One export in a fresh process, so its peak RSS is the export's own (section 6).

    python -m bench.export_probe --slug bench --format csv|psychds [--tracemalloc]

Runs the dashboard's own export (dashboard.exports.export_stream: the ordered trial-level CSV, or
the Psych-DS zip) over server-side cursors, discards the bytes as a client would receive them, and
prints one JSON line: rows, bytes, seconds, baseline and peak RSS (sampled every 20 ms) and, when
asked, tracemalloc's peak.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import tracemalloc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--format", choices=("csv", "psychds"), default="csv")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    import psutil
    from django_tenants.utils import tenant_context

    from dashboard.exports import export_stream
    from tenants.models import Study

    study = Study.objects.get(slug=args.slug)
    # The modules an export imports on first use (numpy through traits for the versions and trait
    # columns): loaded before the baseline, as in a worker that has served anything before, so the
    # growth measured is the export's own and not a one-off import.
    import traits.bart_models
    import traits.mapping
    import traits.models  # noqa: F401

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

    def on_rows(n: int) -> None:
        counted["rows"] = n

    size = 0
    started = time.perf_counter()
    with tenant_context(study):
        chunks, _versions = export_stream(args.format, study_slug=study.slug, study_title=study.title, on_rows=on_rows)
        for chunk in chunks:
            size += len(chunk) if isinstance(chunk, bytes) else len(chunk.encode("utf-8"))
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
