"""Batches of one session sent at the same time, out of order, from several connections.

The batch path locks the session row first and reads the stored events afterwards, in a later
statement (games/ingestion.py), so the last batch of a balloon always sees every batch committed
before it. Were the read on an older snapshot, a balloon's outcome, its pumps or the session's
counters would miss a batch; here they must equal the schedule check over all the events.

Committed data in a study of this module's own (tests/committed.py): concurrent connections only
see what is committed.
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from games import consistency
from games.simulate import TargetPolicy, simulate_session
from tests.committed import dedicated_study

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SENDERS = 6
BATCH = 7


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from tests.consent.support import publish

    with django_db_blocker.unblock(), dedicated_study("batchc") as study:
        publish(study)
        yield study


def _in_thread(fn: Any) -> Any:
    """Run ``fn`` on a thread of its own (its own connection, autocommit): its writes are committed."""
    out: dict[str, Any] = {}

    def run() -> None:
        from django.db import connection

        try:
            out["value"] = fn()
        except BaseException as exc:  # handed to the test below
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if "error" in out:
        raise out["error"]
    return out["value"]


def _player(study: Any) -> tuple[str, dict[str, Any]]:
    from consent.selectors import consent_document_current

    client = Client(HTTP_HOST=study.domain_name)
    with tenant_context(study):
        document = consent_document_current()
    body = {"consent_version": document.version, "consent_sha256": document.sha256, "agree": True}
    token = client.post("/api/v1/participants/", body, content_type="application/json").json()["token"]
    session = client.post(
        "/api/v1/game/sessions/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return token, session.json()


def _send_concurrently(study: Any, token: str, session_id: str, batches: list[list[dict[str, Any]]]) -> list[int]:
    work: queue.Queue[list[dict[str, Any]]] = queue.Queue()
    for batch in batches:
        work.put(batch)
    barrier = threading.Barrier(SENDERS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        from django.db import connection

        client = Client(HTTP_HOST=study.domain_name)
        try:
            barrier.wait(timeout=30)
            while True:
                try:
                    batch = work.get_nowait()
                except queue.Empty:
                    return
                reply = client.post(
                    f"/api/v1/game/sessions/{session_id}/events/",
                    {"sent_at": 1_764_000_000_000, "events": batch},
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}",
                )
                statuses.append(reply.status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_concurrent_out_of_order_batches_leave_the_state_a_single_sender_would(study, seed):
    token, session = _in_thread(lambda: _player(study))
    events = simulate_session(session["balloons"], TargetPolicy(target=8, jitter=3), seed=seed, balloons=4).events
    batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    random.Random(seed).shuffle(batches)
    retries = batches[:3]  # a few batches arrive twice (a lost response, retried)
    statuses = _send_concurrently(study, token, session["session_id"], batches + retries)
    assert statuses == [200] * len(statuses)

    def stored() -> tuple[Any, list[Any]]:
        from games.models import Balloon, GameSession

        with tenant_context(study):
            row = GameSession.objects.get(pk=session["session_id"])
            balloons = list(Balloon.objects.filter(session=row).order_by("index").values("index", "pumps", "outcome"))
            return row, balloons

    row, balloons = _in_thread(stored)
    assert (row.event_count, row.distinct_seqs, row.max_seq) == (len(events), len(events), len(events) - 1)
    assert row.quality_flags == {}
    facts = [
        consistency.EventFacts(
            e["event_id"],
            e["seq"],
            e["type"],
            e.get("balloon"),
            e.get("data", {}).get("pump", e.get("data", {}).get("pumps")),
        )
        for e in events
    ]
    expected = consistency.check_events({b["index"]: b["explosion_point"] for b in session["balloons"]}, facts)
    assert not expected.event_flags
    outcomes = {"collected": "cashed", "popped": "popped", "pending": "pending"}
    for balloon in balloons:
        state = expected.balloons.get(balloon["index"])
        if state is None:
            assert (balloon["pumps"], balloon["outcome"]) == (0, "pending")
        else:
            assert (balloon["pumps"], balloon["outcome"]) == (state.pumps, outcomes[state.outcome]), balloon
