"""The benchmark's arithmetic: summaries, percentiles, ratios and the printed verdicts."""

from bench.report import rows, table
from bench.stats import format_table, latency_summary, percentile, ratio, spread


def test_spread_reports_min_median_max_of_repeated_runs():
    assert spread([3.0, 1.0, 2.0]) == {"min": 1.0, "median": 2.0, "max": 3.0, "n": 3}
    assert spread([]) == {"min": None, "median": None, "max": None, "n": 0}


def test_percentile_is_nearest_rank():
    samples = list(range(1, 101))  # 1..100
    assert percentile(samples, 50) == 50
    assert percentile(samples, 99) == 99
    assert percentile(samples, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_latency_summary_has_the_tail_and_the_count():
    summary = latency_summary([1.0] * 98 + [40.0, 90.0])
    assert summary["p50"] == 1.0
    assert summary["p99"] == 40.0
    assert summary["max"] == 90.0
    assert summary["n"] == 100


def test_ratio_refuses_to_divide_by_nothing():
    assert ratio(50.0, 100.0) == 0.5
    assert ratio(1.0, 0.0) is None
    assert ratio(None, 3.0) is None


def test_a_missed_target_is_printed_as_missed():
    results = {
        "machine": {"nproc": 2},
        "stack": {"web": "gunicorn"},
        "sections": {
            "naive": {
                "naive_events_per_s": spread([100.0]),
                "batch_events_per_s": spread([1500.0]),
                "ratio": spread([15.0]),
            },
            "servers": {
                "runs": {
                    "make_run_200": {
                        "latency_ms": {"p50": 5.0, "p95": 20.0, "p99": 30.0},
                        "lost": 0,
                        "duplicates_stored": 0,
                        "failed_requests": 0,
                        "db_connections": {"peak": 70, "max_connections": 100, "peak_share": 0.7},
                    },
                    "production_500": {"latency_ms": {"p99": 900.0}, "lost": 3, "failed_requests": 2},
                }
            },
            "export": {"error": "RuntimeError: boom"},
        },
    }
    by_label = {row[0]: row for row in rows(results)}
    assert by_label["2. batch / naive"][-1] == "MISSED"
    assert by_label["3. make run 200p latency p99 (ms)"][-1] == "met"
    assert by_label["3. make run 200p events lost"][-1] == "met"
    assert by_label["3. make run 200p peak DB connections 70/100"][-1] == "MISSED"
    assert by_label["3. production 500p latency p99 (ms)"][-1] == ""  # no latency target at 500
    assert by_label["3. production 500p events lost"][-1] == "MISSED"
    assert by_label["3. production 500p failed requests"][-1] == "MISSED"
    assert any(label.startswith("export: ERROR") for label in by_label)
    assert "MISSED" in table(results)


def test_format_table_aligns_columns():
    text = format_table([["a", 1.5], ["longer", 1234.0]], ["figure", "value"])
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1
