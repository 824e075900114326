"""Retention: identifiers and raw events erased after N days (time travel: timestamps set in the past)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEntry
from audit.verification import verify_current_schema
from games.models import Balloon, Event, GameSession
from pseudonymization.models import Participant, ParticipantKey
from pseudonymization.services import participant_external_id
from rights.retention import retention_apply
from rights.tasks import retention_sweep
from tests.conftest import enrolled
from tests.rights.support import play


def _age(participant: Participant, days: int) -> None:
    past = timezone.now() - timedelta(days=days)
    Participant.objects.filter(pk=participant.pk).update(created_at=past)
    GameSession.objects.filter(participant=participant).update(started_at=past, completed_at=past)


def test_identifiers_older_than_the_policy_are_shredded_and_the_data_stays(alpha, alpha_client):
    old, recent = enrolled(alpha, alpha_client, external_id="PANEL-OLD"), enrolled(alpha, alpha_client, "PANEL-NEW")
    play(alpha_client, old, seed=31)
    with tenant_context(alpha):
        _age(old.participant, 400)
        result = retention_apply(policy=(365, None))
        assert result == {"identifiers": 1, "raw_events": 0}
        kept = Participant.objects.get(pk=old.participant.pk)
        assert participant_external_id(participant=kept) is None and kept.external_id_index is None
        assert not ParticipantKey.objects.filter(participant=kept).exists()
        assert kept.status == "active" and Event.objects.filter(session__participant=kept).exists()
        assert participant_external_id(participant=recent.participant) == "PANEL-NEW"
        assert retention_apply(policy=(365, None)) == {"identifiers": 0, "raw_events": 0}  # idempotent
        entry = AuditEntry.objects.get(event="rights.retention.identifiers")
        assert entry.additional_data["count"] == 1 and "PANEL" not in str(entry.additional_data)
        assert verify_current_schema().intact


def test_the_clock_starts_at_the_last_completed_session(alpha, alpha_client):
    person = enrolled(alpha, alpha_client, external_id="PANEL-1")
    play(alpha_client, person, seed=32)
    with tenant_context(alpha):
        Participant.objects.filter(pk=person.participant.pk).update(created_at=timezone.now() - timedelta(days=400))
        assert retention_apply(policy=(365, None))["identifiers"] == 0  # enrolled long ago, played today


def test_raw_events_older_than_the_policy_are_deleted_and_summaries_stay(alpha, alpha_client):
    old, recent = enrolled(alpha, alpha_client), enrolled(alpha, alpha_client)
    play(alpha_client, old, seed=33)
    play(alpha_client, recent, seed=34)
    with tenant_context(alpha):
        _age(old.participant, 100)
        events = Event.objects.filter(session__participant=old.participant).count()
        assert retention_apply(policy=(None, 90)) == {"identifiers": 0, "raw_events": events}
        assert not Event.objects.filter(session__participant=old.participant).exists()
        assert Balloon.objects.filter(session__participant=old.participant).exists()
        assert Event.objects.filter(session__participant=recent.participant).exists()


def test_without_a_policy_nothing_is_erased_and_the_sweep_visits_every_study(alpha, beta, alpha_client):
    person = enrolled(alpha, alpha_client, external_id="PANEL-KEEP")
    with tenant_context(alpha):
        _age(person.participant, 4000)
    assert {"alpha", "beta"} <= set(retention_sweep.apply().get())  # eager: each study's task ran
    with tenant_context(alpha):
        assert participant_external_id(participant=person.participant) == "PANEL-KEEP"
