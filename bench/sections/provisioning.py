"""Section 4: study creation from the template vs by migrations; request latency with 1 study vs 500.

"Clone" here is the platform's provisioning path: the migrated template schema's DDL replayed into
the new schema (tenants/template_ddl.py), with django-tenants' clone_schema only as a fallback.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from bench.client import Http, Reply
from bench.setup import Bench
from bench.stats import latency_summary, ratio, spread
from tenants.models import Study
from tenants.services import study_create


def _create(slug: str, *, by_migrations: bool) -> float:
    connection.set_schema_to_public()
    started = time.perf_counter()
    # Replaying migrations prints every step; the benchmark's output is the table.
    with contextlib.redirect_stdout(io.StringIO()):
        study_create(slug=slug, title=f"Bench {slug}", by_migrations=by_migrations)
    return (time.perf_counter() - started) * 1000.0


def creation_times(*, clones: int, migrations: int) -> dict[str, Any]:
    """Interleaved so that machine load drifts hit both methods alike."""
    clone_ms: list[float] = []
    migrate_ms: list[float] = []
    for i in range(max(clones, migrations)):
        if i < clones:
            clone_ms.append(_create(f"clone-{i:04d}", by_migrations=False))
        if i < migrations:
            migrate_ms.append(_create(f"migrated-{i:02d}", by_migrations=True))
    clone, migrate = spread(clone_ms, 1), spread(migrate_ms, 1)
    return {
        "clone_ms": clone,
        "migrations_ms": migrate,
        "speedup_median": ratio(migrate["median"], clone["median"], 1),
        "target_clone_ms": 300,
    }


def grow_to(
    total_studies: int, *, clone_budget_s: float, on_progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Reach ``total_studies`` by study_create (the real path) while the time budget lasts, then in bulk.

    Creation times are sampled as the count grows, which shows whether provisioning slows down as
    studies accumulate (django-tenants' clone_schema did: 14 s per study at 500). With the template's
    DDL replayed the budget normally suffices; `_bulk_studies` (same tables and indexes) fills any rest.
    """
    samples: list[dict[str, float]] = []
    started = time.perf_counter()
    cloned = bulk = 0
    for i in itertools.count():
        count = Study.objects.count()
        if count >= total_studies or time.perf_counter() - started >= clone_budget_s:
            break
        ms = _create(f"scale-{i:04d}", by_migrations=False)
        cloned += 1
        if cloned % 10 == 1:
            samples.append({"studies_before": count, "clone_ms": round(ms)})
    bulk_started = time.perf_counter()
    missing = total_studies - Study.objects.count()
    slugs = [f"bulk-{n:04d}" for n in range(max(missing, 0))]
    for chunk in range(0, len(slugs), 50):
        _bulk_studies(slugs[chunk : chunk + 50])
        bulk += len(slugs[chunk : chunk + 50])
        if on_progress:
            on_progress(f"{cloned} cloned, {bulk} bulk-created")
    return {
        "cloned": cloned,
        "clone_budget_s": clone_budget_s,
        "clone_ms_by_study_count": samples,
        "bulk_created": bulk,
        "bulk_seconds": round(time.perf_counter() - bulk_started, 1),
        "bulk_method": "CREATE TABLE ... (LIKE study_template.<t> INCLUDING ALL) for every template table "
        "(same tables, columns, indexes; no foreign keys or triggers) + Study and Domain rows",
    }


def _bulk_studies(slugs: list[str]) -> None:
    """Studies whose schemas hold every template table with its indexes (bench-only, for catalog size).

    Rows are bulk-inserted (no signals, so no audit entries or seeding) and the DDL of many schemas
    goes to the server in one round trip; what is measured later is requests, not this setup.
    """
    from django.conf import settings
    from django.db import transaction

    from tenants.models import Domain, schema_name_for

    connection.set_schema_to_public()
    template = settings.TENANT_BASE_SCHEMA
    with transaction.atomic():
        studies = Study.objects.bulk_create(
            [Study(schema_name=schema_name_for(s), slug=s, title=f"Bench {s}") for s in slugs]
        )
        Domain.objects.bulk_create([Domain(domain=st.domain_name, tenant=st, is_primary=True) for st in studies])
        with connection.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [template])
            tables = [row[0] for row in cur.fetchall()]
            statements = []
            for st in studies:
                statements.append(f'CREATE SCHEMA "{st.schema_name}"')
                statements += [
                    f'CREATE TABLE "{st.schema_name}"."{t}" (LIKE "{template}"."{t}" INCLUDING ALL)' for t in tables
                ]
            cur.execute(";".join(statements))


def _probe(send: Callable[[int], Reply], rounds: int, per_round: int) -> dict[str, Any]:
    """Sequential requests (one client, no concurrency): latency alone, not throughput."""
    send(-1)  # warm the connection and the worker
    medians: list[float] = []
    everything: list[float] = []
    errors = 0
    n = 0
    for _ in range(rounds):
        samples = []
        for _ in range(per_round):
            reply = send(n)
            n += 1
            if reply.status >= 400:
                errors += 1
            samples.append(reply.ms)
        medians.append(latency_summary(samples)["p50"])
        everything.extend(samples)
    return {"p50_ms": spread(medians), "pooled": latency_summary(everything), "errors": errors}


def latency(
    bench: Bench, http: Http, *, ingest: Callable[[int], Reply] | None, rounds: int = 3, per_round: int = 100
) -> dict[str, Any]:
    """A study-host researcher request, the ingestion request, and a request cycling over all studies.

    Both measurements start from a CHECKPOINT: right after hundreds of schemas are created (or a
    million rows inserted) PostgreSQL is still flushing them, and every commit's WAL flush waits
    behind that I/O. The comparison is of steady states, not of the aftermath of the bulk DDL.
    """
    out: dict[str, Any] = {"studies": Study.objects.count(), "checkpoint_before": _checkpoint()}
    out["study_api"] = _probe(
        lambda _n: http.get(bench.host, "/api/v1/study/", token=bench.viewer_token, scheme="Token"),
        rounds,
        per_round,
    )
    hosts = [f"{slug}.{bench.host.split('.', 1)[1]}" for slug in Study.objects.values_list("slug", flat=True)]
    out["study_api_all_hosts"] = _probe(
        lambda n: http.get(hosts[n % len(hosts)], "/api/v1/study/", token=bench.admin_token, scheme="Token"),
        rounds,
        per_round,
    )
    if ingest is not None:
        out["ingestion_batch50"] = _probe(ingest, rounds, per_round)
    return out


def _checkpoint() -> float | None:
    """Run CHECKPOINT (needs a superuser or pg_checkpoint); its duration in ms, None when refused."""
    from django.db import DatabaseError

    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        return None
    return round((time.perf_counter() - started) * 1000, 1)


def compare(one: dict[str, Any], many: dict[str, Any]) -> dict[str, Any]:
    """Median-of-medians latency with many studies over with one (target within 10 %)."""
    out = {}
    for key in ("study_api", "study_api_all_hosts", "ingestion_batch50"):
        if key in one and key in many:
            out[key] = ratio(many[key]["p50_ms"]["median"], one[key]["p50_ms"]["median"])
    return out
