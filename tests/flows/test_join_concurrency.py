"""Two first visits at once (two tabs, a double click): one place in the flow, one number of the sequence.

Committed data in a study of this module's own (tests/committed.py): concurrent connections only see
what is committed, and the second visit must wait on the version's row lock, then find the first's row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tests.committed import dedicated_study

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def study(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from flows.services import flow_draft_publish, flow_draft_save
    from tests.flows.support import page

    with django_db_blocker.unblock(), dedicated_study("joinc") as study:
        with tenant_context(study):
            flow_draft_save(
                acting_user=None,
                definition={
                    "steps": [page("intro")],
                    "conditions": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
                },
            )
            flow_draft_publish(acting_user=None)
        yield study


def test_two_first_visits_at_once_join_once(study, django_db_blocker):
    from django.db import connection

    from flows.models import FlowVersion, ParticipantFlow
    from flows.services import flow_join
    from pseudonymization.services import participant_enrol

    def in_thread(fn: Any) -> threading.Thread:
        def run() -> None:
            try:
                with django_db_blocker.unblock(), tenant_context(study):
                    fn()
            except BaseException as exc:  # handed to the test below
                errors.append(exc)
            finally:
                connection.close()

        return threading.Thread(target=run)

    errors: list[BaseException] = []
    people: list[Any] = []
    enrol = in_thread(lambda: people.append(participant_enrol()))
    enrol.start()
    enrol.join(timeout=30)
    person = people[0]
    barrier = threading.Barrier(2)
    joined: list[int] = []

    def visit() -> None:
        barrier.wait()
        joined.append(flow_join(participant=person).pk)

    threads = [in_thread(visit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == [] and len(joined) == 2 and len(set(joined)) == 1

    def check() -> None:
        assert ParticipantFlow.objects.filter(participant=person).count() == 1
        assert FlowVersion.objects.get(status="published").assigned_count == 1

    checker = in_thread(check)
    checker.start()
    checker.join(timeout=30)
    assert errors == []
