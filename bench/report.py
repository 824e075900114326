"""The printed table: one line per figure, min/median/max, the target and whether it was met (pure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.stats import format_table

Row = list[Any]


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _spread_row(label: str, value: Any, target: str = "", ok: bool | None = None) -> Row:
    if isinstance(value, dict) and "median" in value:
        cells = [value.get("min"), value.get("median"), value.get("max")]
    else:
        cells = [None, value, None]
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    return [label, *cells, target, verdict]


def _check(value: Any, test: Callable[[float], bool]) -> bool | None:
    median = value.get("median") if isinstance(value, dict) else value
    return None if median is None else test(median)


def rows(results: dict[str, Any]) -> list[Row]:
    s = results.get("sections", {})
    out: list[Row] = []
    for name, section in s.items():
        if isinstance(section, dict) and "error" in section:
            out.append([f"{name}: ERROR {section['error'][:70]}", None, None, None, "", ""])

    ing = s.get("ingestion") or {}
    if "copy_events_per_s" in ing:
        out.append(_spread_row("1. COPY events/s (limit)", ing["copy_events_per_s"]))
    for size, block in (ing.get("api") or {}).items():
        out.append(_spread_row(f"1. API batch {size} events/s", block["events_per_s"]))
        ratio = block.get("ratio_to_copy")
        out.append(_spread_row(f"1. API batch {size} / COPY", ratio, ">= 0.40", _check(ratio, lambda v: v >= 0.4)))

    naive = s.get("naive") or {}
    if "naive_events_per_s" in naive:
        out.append(_spread_row("2. naive 1 event/request events/s", naive["naive_events_per_s"]))
        out.append(_spread_row("2. batch events/s (same run)", naive["batch_events_per_s"]))
        r = naive.get("ratio")
        out.append(_spread_row("2. batch / naive", r, ">= 20x", _check(r, lambda v: v >= 20)))

    cost = s.get("request_cost") or {}
    if "ms_per_request" in cost:
        label = f"1b. one batch of {cost['batch_events']} in-process (ms)"
        out.append(_spread_row(label, cost["ms_per_request"]))
        out.append(_spread_row("1b. SQL statements per batch (+ BEGIN, COMMIT)", cost["sql_statements_per_request"]))
        confirmed = cost.get("confirmed_pump_in_process") or {}
        if confirmed:
            row = ["1b. one confirmed pump in-process p50 / p95 (ms)", confirmed["p50_ms"], confirmed["p95_ms"]]
            out.append([*row, confirmed["max_ms"], "", ""])

    for key, run in ((s.get("servers") or {}).get("runs") or {}).items():
        out += _server_rows(key, run)
    conc = s.get("concurrency") or {}  # runs from before the side-by-side section
    if "latency_ms" in conc:
        out += _server_rows(f"production_{conc.get('participants')}", conc)

    prov = s.get("provisioning") or {}
    if "creation" in prov:
        clone = prov["creation"]["clone_ms"]
        out.append(_spread_row("4. study creation, template (ms)", clone, "< 300", _check(clone, lambda v: v < 300)))
        out.append(_spread_row("4. study creation, migrations (ms)", prov["creation"]["migrations_ms"]))
        samples = _get(prov, "bulk_clone.clone_ms_by_study_count") or []
        if samples:
            last = samples[-1]
            out.append(_spread_row(f"4. creation (ms) with {last['studies_before']} studies", float(last["clone_ms"])))
            created = _get(prov, "bulk_clone.cloned")
            out.append(_spread_row("4. studies created by study_create", created))
        for key, label in (
            ("study_api", "study API"),
            ("study_api_all_hosts", "study API, all hosts"),
            ("ingestion_batch50", "ingestion, batch 50"),
        ):
            one = _get(prov, f"latency_1_study.{key}.p50_ms")
            many = _get(prov, f"latency_many_studies.{key}.p50_ms")
            if one is None or many is None:
                continue
            studies = _get(prov, "latency_many_studies.studies")
            out.append(_spread_row(f"4. {label} p50 ms, 1 study", one))
            out.append(_spread_row(f"4. {label} p50 ms, {studies} studies", many))
            r = _get(prov, f"ratio_many_over_one.{key}")
            out.append(_spread_row(f"4. {label} many / one", r, "<= 1.10", _check(r, lambda v: v <= 1.10)))

    pipe = s.get("pipeline") or {}
    if "per_session_ms" in pipe:
        v = pipe["per_session_ms"]
        out.append(_spread_row("5. pipeline per session (ms)", v, "< 100", _check(v, lambda x: x < 100)))
        for key, block in (pipe.get("fits") or {}).items():
            out.append(_spread_row(f"5. {key} (ms)", block))
        if "first_fits_in_process_ms" in pipe:
            out.append(_spread_row("5. first fits in a process (numba) ms", pipe["first_fits_in_process_ms"]))
        e2e = pipe.get("end_to_end") or {}
        if "complete_to_processed_ms" in e2e:
            out.append(_spread_row("5. complete -> processed via Celery (ms)", e2e["complete_to_processed_ms"]))

    exp = s.get("export") or {}
    if "rows_per_s" in exp:
        out.append(_spread_row(f"6. export rows/s ({exp.get('rows')} rows)", exp["rows_per_s"]))
        out.append(_spread_row("6. export peak RSS growth (MB)", exp.get("rss_growth_mb")))
        out.append(_spread_row("6. export tracemalloc peak (MB)", exp.get("tracemalloc_peak_mb")))
        flat = exp.get("flatness") or {}
        if "rows_before_top_up" in flat:
            out.append(
                _spread_row(
                    f"6. RSS growth (MB) at {flat['rows_before_top_up']} rows", flat.get("rss_growth_mb_before_top_up")
                )
            )
        psychds = exp.get("psychds") or {}
        if "rows_per_s" in psychds:
            out.append(_spread_row("6. Psych-DS zip rows/s", psychds["rows_per_s"]))
            label = f"6. Psych-DS RSS growth (MB) at {psychds.get('rows')} rows"
            out.append(_spread_row(label, psychds.get("rss_growth_mb")))
        if "psychds_rows_before_top_up" in flat:
            label = f"6. Psych-DS RSS growth (MB) at {flat['psychds_rows_before_top_up']} rows"
            out.append(_spread_row(label, flat.get("psychds_rss_growth_mb_before_top_up")))
    models = s.get("models") or {}
    if "reference" in models:
        from bench.sections.models import rows as model_rows

        out.extend(model_rows(models))
    return out


def _server_rows(key: str, run: dict[str, Any]) -> list[Row]:
    """Section 3, one server at one size: latency, what was sent/acknowledged/stored, connections."""
    server, _, size = key.rpartition("_")
    name = f"3. {server.replace('_', ' ')} {size}p"
    if "error" in run:
        return [[f"{name}: ERROR {run['error'][:60]}", None, None, None, "", ""]]
    lat = run.get("latency_ms") or {}
    p99, failed, lost = lat.get("p99"), run.get("failed_requests"), run.get("lost")
    rows = [[f"{name} latency p50 / p95 (ms)", lat.get("p50"), lat.get("p95"), None, "", ""]]
    if size == "200":
        rows.append(_spread_row(f"{name} latency p99 (ms)", p99, "< 50", _check(p99, lambda v: v < 50)))
    else:
        rows.append(_spread_row(f"{name} latency p99 (ms)", p99))
    sent = f"{run.get('events_sent')} / {run.get('accepted')} / {run.get('stored')}"
    rows.append([f"{name} events sent / accepted / stored", None, sent, None, "", ""])
    rows.append(_spread_row(f"{name} failed requests", failed, "0", _check(failed, lambda v: v == 0)))
    rows.append(_spread_row(f"{name} events lost", lost, "0", _check(lost, lambda v: v == 0)))
    dup = run.get("duplicates_stored")
    rows.append(_spread_row(f"{name} duplicates stored", dup, "0", _check(dup, lambda v: v == 0)))
    share = (run.get("db_connections") or {}).get("peak_share")
    if share is not None:
        peak = run["db_connections"]["peak"]
        label = f"{name} peak DB connections {peak}/{run['db_connections']['max_connections']}"
        rows.append(_spread_row(label, share, "<= 0.60", _check(share, lambda v: v <= 0.6)))
    return rows


def table(results: dict[str, Any]) -> str:
    header = ["figure", "min", "median", "max", "target", ""]
    machine = results.get("machine", {})
    title = (
        f"\nBenchmark {results.get('generated_at')} on {machine.get('nproc')} cores, {machine.get('ram_gb')} GB, "
        f"PostgreSQL {machine.get('postgresql')}, Redis {machine.get('redis')}; {results['stack'].get('web')}"
    )
    return title + "\n" + format_table(rows(results), header)
