"""The consent rule in SQL (the game's batch gate) says what the Python rule says, in every case."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from consent.models import ConsentRecord, ConsentSettings
from consent.selectors import active_consent_sql, participant_has_active_consent
from pseudonymization.models import Participant
from tests.consent.support import publish

pytestmark = pytest.mark.django_db


def _sql_says(participant: Participant) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.status = 'active' AND {active_consent_sql('p.id')} "
            f"FROM {Participant._meta.db_table} p WHERE p.id = %s",
            [participant.pk],
        )
        return bool(cursor.fetchone()[0])


RECORDS = ("none", "current", "retired", "withdrawn_current", "retired_and_current")


@pytest.mark.parametrize(
    ("status", "records", "reconsent"),
    list(itertools.product([Participant.Status.ACTIVE, Participant.Status.WITHDRAWN], RECORDS, [False, True])),
)
def test_sql_and_python_agree(alpha, status, records, reconsent):
    old = publish(alpha, version="1.0")
    current = publish(alpha, version="2.0")  # publishing 2.0 retires 1.0
    with tenant_context(alpha):
        ConsentSettings.objects.update_or_create(singleton=True, defaults={"require_reconsent": reconsent})
        participant = Participant.objects.create(participant_code=f"P{len(records)}{status[:2]}{int(reconsent)}")
        if status == Participant.Status.WITHDRAWN:
            participant.status, participant.withdrawn_at = status, timezone.now()
            participant.save()
        made = {
            "none": [],
            "current": [(current, None)],
            "retired": [(old, None)],
            "withdrawn_current": [(current, timezone.now())],
            "retired_and_current": [(old, None), (current, None)],
        }[records]
        for document, withdrawn_at in made:
            ConsentRecord.objects.create(
                participant=participant,
                document=document,
                sha256=document.sha256,
                method=ConsentRecord.Method.API,
                withdrawn_at=withdrawn_at,
            )
        expected = participant_has_active_consent(participant=participant)
        assert _sql_says(participant) is expected
    # The cases are not all alike: the table must hold both answers somewhere.
    if (status, records, reconsent) == (Participant.Status.ACTIVE, "retired", False):
        assert expected is True
    if (status, records, reconsent) == (Participant.Status.ACTIVE, "retired", True):
        assert expected is False
