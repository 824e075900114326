"""PostgreSQL restarted while participants send: clients retry, every event is stored exactly once.

A throwaway cluster of the test's own (never the machine's) is migrated with `setup_platform
--no-demo`; a live server runs against it. Several simulated participants play sessions in threads,
sending batches with the browser's retry (same batch, same event ids, backoff). Once a quarter of
the batches are in, the cluster is shut down fast (sessions ended, open transactions rolled back),
kept down for a moment and started again. Afterwards the stored event ids equal the sent ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import psycopg2
import pytest

from tests.live import ROOT, start_live_server
from tests.security.faults_support import (
    Participant,
    PlayRecord,
    ThrowawayCluster,
    play_through,
    record_figures,
    stop_processes,
    wait_for,
)

pytestmark = [pytest.mark.integration]

SLUG = "faultpg"
DATABASE = "faults"
PARTICIPANTS = 4
DOWN_SECONDS = 2.0


@pytest.fixture(scope="module")
def pg_stack():  # type: ignore[no-untyped-def]
    cluster = ThrowawayCluster()
    try:
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url(DATABASE),
            "DJANGO_SETTINGS_MODULE": "research_platform.settings.test",
        }
        for command in (
            [sys.executable, "manage.py", "setup_platform", "--no-demo"],
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from tests.live import ensure_live_study; "
                f"ensure_live_study({SLUG!r}, game_config={{'balloons_per_color': 10}})",
            ],
        ):
            subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
        server = start_live_server(extra_env={"DATABASE_URL": cluster.url(DATABASE), "TEST_CELERY_EAGER": "true"})
        try:
            yield server, cluster
        finally:
            stop_processes(server.processes)
    finally:
        cluster.remove()


def test_a_database_restart_loses_and_doubles_no_event(pg_stack):
    server, cluster = pg_stack
    records = [PlayRecord() for _ in range(PARTICIPANTS)]
    clients = [Participant(server, SLUG) for _ in range(PARTICIPANTS)]
    progress = threading.Event()
    pacing = {"batch_size": 6, "pause": 0.05, "progress": progress}
    threads = [
        threading.Thread(target=play_through, args=(c, r), kwargs=pacing) for c, r in zip(clients, records, strict=True)
    ]
    for thread in threads:
        thread.start()

    def quarter_in() -> bool:
        planned = sum(r.batches_total for r in records)
        return all(r.batches_total for r in records) and sum(r.batches_acked for r in records) >= planned / 4

    assert wait_for(quarter_in, timeout=40, interval=0.05), [r.error for r in records]
    acked_before = sum(r.batches_acked for r in records)
    stop_started = time.monotonic()
    cluster.stop()
    down_at = time.monotonic()
    time.sleep(DOWN_SECONDS)
    cluster.start()
    up_at = time.monotonic()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    assert [r.error for r in records] == [""] * PARTICIPANTS
    assert [r.complete_status for r in records] == [202] * PARTICIPANTS
    assert acked_before < sum(r.batches_total for r in records)  # the restart happened mid-stream
    assert server.processes[0].poll() is None  # the server survived

    sent = [event_id for r in records for event_id in r.sent_ids]
    with psycopg2.connect(host=str(cluster.socket_dir), user="postgres", dbname=DATABASE) as conn:
        with conn.cursor() as cursor:
            cursor.execute("SELECT schema_name FROM tenants_study WHERE slug = %s", [SLUG])
            schema = cursor.fetchone()[0]
            cursor.execute(
                f'SELECT event_id::text FROM "{schema}".games_event WHERE session_id = ANY(%s::uuid[])',
                [[r.session_id for r in records]],
            )
            stored = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                f'SELECT status, count(*) FROM "{schema}".games_gamesession WHERE id = ANY(%s::uuid[]) GROUP BY 1',
                [[r.session_id for r in records]],
            )
            statuses = dict(cursor.fetchall())
    conn.close()
    assert len(sent) == len(set(sent))
    assert sorted(stored) == sorted(sent)  # none lost, none stored twice
    assert sum(r.accepted for r in records) == len(stored)  # each event acknowledged as new exactly once
    assert sum(r.rejected for r in records) == 0
    assert sum(statuses.values()) == PARTICIPANTS and not set(statuses) - {"completed", "processed", "flagged"}

    failures = [t for c in clients for t in c.failures_at]
    assert failures, "no request met the restart: the test proved nothing"
    first_success_after = min(t for c in clients for t in c.successes_at if t > up_at)
    record_figures(
        "postgres_restart",
        {
            "participants": PARTICIPANTS,
            "events_sent": len(sent),
            "events_stored": len(stored),
            "events_lost": len(set(sent) - set(stored)),
            "events_stored_twice": len(stored) - len(set(stored)),
            "duplicates_refused_on_retry": sum(r.duplicates for r in records),
            "batches": sum(r.batches_total for r in records),
            "batches_before_restart": acked_before,
            "failed_attempts_retried": len(failures),
            "stop_seconds": round(down_at - stop_started, 2),
            "database_down_seconds": round(up_at - down_at, 2),
            "client_visible_outage_seconds": round(max(failures) - min(failures), 2),
            "first_success_after_start_seconds": round(first_success_after - up_at, 2),
        },
    )
