"""Seq counters stay right whether the per-batch look-up of earlier seqs runs or is skipped."""

from __future__ import annotations

import uuid

from django_tenants.utils import tenant_context

from games.models import GameSession
from games.simulate import TargetPolicy, batches, simulate_session


def _row(study, session_id):
    with tenant_context(study):
        return GameSession.objects.get(pk=session_id)


def test_in_order_batches_count_every_seq_once(alpha, started):
    gamer, session = started
    events = simulate_session(session["balloons"], TargetPolicy(target=5, jitter=1), seed=3, balloons=3).events
    for batch in batches(events, 4):
        assert gamer.send(session["session_id"], batch).status_code == 200
    row = _row(alpha, session["session_id"])
    assert (row.event_count, row.distinct_seqs, row.max_seq) == (len(events), len(events), len(events) - 1)


def test_a_later_event_reusing_an_earlier_seq_is_counted_as_a_repeat(alpha, started):
    gamer, session = started
    events = simulate_session(session["balloons"], TargetPolicy(target=5, jitter=1), seed=4, balloons=2).events
    gamer.send(session["session_id"], events)
    reused = {**events[2], "event_id": str(uuid.uuid4())}  # same seq, a different event
    assert gamer.send(session["session_id"], [reused]).json()["accepted"] == 1
    row = _row(alpha, session["session_id"])
    assert row.event_count == len(events) + 1
    assert row.distinct_seqs == len(events)
