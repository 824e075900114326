"""The chain under concurrent writers: several threads, each with its own database connection, append
committed entries to one study's chain at the same time. The advisory lock serialises appends, so
the chain verifies, `seq` has no gap and no entry shares its predecessor with another (no fork).

Committed data in a study of this module's own (tests/committed.py): audit rows cannot be deleted,
and concurrent connections see only what is committed.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tests.committed import dedicated_study

# django_db: pytest-django creates the test database only for sessions with a test that asks for it;
# the writers use their own connections (autocommit), the test's transaction only reads.
pytestmark = [pytest.mark.integration, pytest.mark.django_db]

WRITERS = 6
TRANSACTIONS = 6
PER_TRANSACTION = 2
ROLLED_BACK = 2  # this transaction index of every writer fails after appending: its entries vanish


class Failed(Exception):
    pass


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), dedicated_study("chainc") as study:
        yield study


def _writer(study: Any, number: int, barrier: threading.Barrier, out: dict[str, Any]) -> None:
    from django.db import connection, connections, transaction

    from audit.services import audit_event

    try:
        connection.set_tenant(study)  # this thread's own connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            out.setdefault("backends", set()).add(cursor.fetchone()[0])
        barrier.wait(timeout=30)
        for tx in range(TRANSACTIONS):
            try:
                with transaction.atomic():
                    for k in range(PER_TRANSACTION):
                        audit_event(action="integ.concurrent", details={"writer": number, "tx": tx, "k": k})
                        time.sleep(0.003)  # widen the window another writer could slip into
                    if tx == ROLLED_BACK:
                        raise Failed
            except Failed:
                pass
    except BaseException as exc:  # reported by the test, not lost in the thread
        out.setdefault("errors", []).append(repr(exc))
    finally:
        connections.close_all()


def test_concurrent_writers_leave_one_intact_chain_without_gaps_or_forks(study):
    from audit.models import AuditEntry
    from audit.verification import verify_schema

    with tenant_context(study):
        before = AuditEntry.objects.count()
    barrier = threading.Barrier(WRITERS)
    out: dict[str, Any] = {}
    threads = [threading.Thread(target=_writer, args=(study, n, barrier, out)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert "errors" not in out, out["errors"]
    assert len(out["backends"]) == WRITERS  # really one connection per writer

    with tenant_context(study):
        rows = list(AuditEntry.objects.order_by("seq").values("seq", "prev_hash", "entry_hash", "additional_data"))
    verdict = verify_schema(study.schema_name)

    committed = WRITERS * (TRANSACTIONS - 1) * PER_TRANSACTION
    assert len(rows) == before + committed
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))  # no gap, rolled back ones included
    assert len({r["prev_hash"] for r in rows}) == len(rows)  # no two entries share a predecessor: no fork
    assert all(b["prev_hash"] == a["entry_hash"] for a, b in itertools.pairwise(rows))
    assert verdict.intact and verdict.entries == len(rows), verdict

    ours = [r["additional_data"] for r in rows[before:]]
    assert not any(d["tx"] == ROLLED_BACK for d in ours)
    # The lock is held until the writer's transaction ends: a transaction's entries are consecutive.
    for i in range(0, len(ours), PER_TRANSACTION):
        group = ours[i : i + PER_TRANSACTION]
        assert {(d["writer"], d["tx"]) for d in group} == {(group[0]["writer"], group[0]["tx"])}
        assert [d["k"] for d in group] == list(range(PER_TRANSACTION))
    # The writers really overlapped (one after the other would switch writer only WRITERS - 1 times).
    switches = sum(1 for a, b in itertools.pairwise(ours) if a["writer"] != b["writer"])
    assert switches > WRITERS
