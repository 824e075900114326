"""Executing a deletion request: everything erased, key shredded, tombstone and certificate kept,
audit chain intact; resumable after a crash, idempotent after completion."""

from __future__ import annotations

from datetime import datetime

import pytest
from django_tenants.utils import tenant_context

from audit.models import AuditEntry
from audit.verification import verify_current_schema
from consent.models import ConsentRecord
from games.models import GameSession
from pseudonymization.keyring import participant_kek
from pseudonymization.models import Participant, ParticipantKey, ParticipantToken
from pseudonymization.services import participant_external_id
from rights import erasure
from rights.certificate import certificate_sha256
from rights.models import AccessSecret, DeletionRequest
from rights.services import (
    access_secret_issue,
    deletion_request_execute,
    deletion_request_file,
    deletion_request_verify,
)
from tests.conftest import enrolled
from tests.flows.support import game_sessions_flow
from tests.rights.support import play, scan, stored_counts, traces


def _verified_request(participant: Participant, user) -> DeletionRequest:
    request, _ = deletion_request_file(participant=participant, source="manager", acting_user=user)
    return deletion_request_verify(request=request, acting_user=user)


class WorkerDied(RuntimeError):
    """The crash of a test: the worker stops between two erasure steps."""


def _worker_dies(participant: Participant, started: datetime) -> int:
    raise WorkerDied


@pytest.fixture
def manager(cast):
    return cast["manager"]


def test_execution_leaves_no_trace_of_the_participant_in_any_table(alpha, alpha_client, manager):
    game_sessions_flow(alpha, count=2)  # two games for one participant
    person = enrolled(alpha, alpha_client, external_id="PANEL-4711")
    bystander = enrolled(alpha, alpha_client, external_id="PANEL-0815")
    play(alpha_client, person, seed=1)
    play(alpha_client, person, seed=2, complete=False)
    bystanders_session = play(alpha_client, bystander, seed=3)
    with tenant_context(alpha):
        access_secret_issue(participant=person.participant)
        needles = traces(person.participant)
        expected = stored_counts(person.participant)
        assert expected["sessions"] == 2 and expected["events"] > 20
        ciphertext = bytes(person.participant.external_id_ciphertext)
        wrapped_key = bytes(ParticipantKey.objects.get(participant=person.participant).wrapped_key)
        assert len(needles) >= 4 + 2 + expected["events"]  # code, index, ciphertext, token; sessions; events
        assert scan([alpha.schema_name, "public"], needles)  # the scan does see them before

        request = deletion_request_execute(request=_verified_request(person.participant, manager))

        assert request.status == "executed" and request.steps_done == erasure.STEP_NAMES
        assert scan([alpha.schema_name, "public"], needles) == {}
        erased = Participant.objects.get(pk=person.participant.pk)
        assert erased.status == "erased" and erased.participant_code.startswith("E-")
        assert participant_external_id(participant=erased) is None
        assert not ParticipantKey.objects.filter(participant=erased).exists()
        assert not AccessSecret.objects.filter(participant=erased).exists()
        assert request.counts["consent_records"] == 1 and request.counts["identifier_key"] == 1
        assert request.counts["tokens"] == 2  # the token and the access secret
        assert {k: request.counts[k] for k in expected} == expected
        # The key is gone: the wrapped key no longer opens under any key the platform holds.
        assert wrapped_key != b"" and ciphertext != b""
        assert not ParticipantKey.objects.filter(wrapped_key=wrapped_key).exists()
        assert participant_kek()  # the study key still exists; only this participant's key was destroyed
        # The bystander is untouched.
        other = Participant.objects.get(pk=bystander.participant.pk)
        assert other.status == "active" and participant_external_id(participant=other) == "PANEL-0815"
        assert ConsentRecord.objects.filter(participant=other).count() == 1
        assert stored_counts(other)["sessions"] == 1 and GameSession.objects.filter(pk=bystanders_session).exists()
        assert verify_current_schema().intact


def test_the_tombstone_and_certificate_hold_counts_not_content(alpha, alpha_client, manager):
    person = enrolled(alpha, alpha_client, external_id="PANEL-4711")
    with tenant_context(alpha):
        request = deletion_request_execute(request=_verified_request(person.participant, manager))
        certificate = request.certificate
        assert certificate_sha256(certificate) == request.certificate_sha256
        assert certificate["request_id"] == str(request.pk) and certificate["study"] == "alpha"
        assert certificate["erased"] == request.counts and certificate["identifier_key_shredded"] is True
        text = str(certificate) + str(request.counts)
        assert person.code not in text and "PANEL" not in text
        anchor = AuditEntry.objects.get(seq=certificate["audit_anchor"]["seq"])
        assert anchor.entry_hash == certificate["audit_anchor"]["entry_hash"]
        final = AuditEntry.objects.filter(event="rights.deletion.execute").get()
        assert final.additional_data["certificate_sha256"] == request.certificate_sha256


def _state(request: DeletionRequest) -> dict:
    request.refresh_from_db()
    participant = Participant.objects.get(pk=request.participant_id)
    events = list(AuditEntry.objects.filter(object_pk=str(request.pk)).order_by("seq").values_list("event", flat=True))
    return {
        "status": request.status,
        "steps": request.steps_done,
        # Game data differs per participant (own schedule, own play): compared with what was stored.
        "counts": {k: v for k, v in request.counts.items() if k not in {"sessions", "balloons", "events"}},
        "participant": (participant.status, participant.external_id_index, participant.external_id_ciphertext),
        "keys": ParticipantKey.objects.filter(participant=participant).count(),
        "tokens": ParticipantToken.objects.filter(participant=participant).count(),
        "records": ConsentRecord.objects.filter(participant=participant).count(),
        "audit_events": [e for e in events if e.startswith("rights.")],
        "certificate_keys": sorted(request.certificate or {}),
        "erased": sorted((request.certificate or {}).get("erased", {})),
    }


@pytest.mark.parametrize("crash_after", ["tokens", "sessions", "consent_records", "identifier_key", "participant"])
def test_a_crash_after_any_step_and_a_rerun_end_in_the_same_state_as_a_clean_run(
    alpha, alpha_client, manager, crash_after, monkeypatch
):
    clean = enrolled(alpha, alpha_client, external_id="PANEL-1")
    crashed = enrolled(alpha, alpha_client, external_id="PANEL-2")
    play(alpha_client, clean, seed=11)
    play(alpha_client, crashed, seed=12)
    with tenant_context(alpha):
        expected = {"clean": stored_counts(clean.participant), "crashed": stored_counts(crashed.participant)}
        clean_request = deletion_request_execute(request=_verified_request(clean.participant, manager))
        needles = traces(crashed.participant)
        request = _verified_request(crashed.participant, manager)
        with monkeypatch.context() as patched:
            # The steps up to crash_after run for real; the worker dies before the next one commits.
            ran = erasure.STEP_NAMES.index(crash_after) + 1
            patched.setattr(erasure, "STEPS", [*erasure.STEPS[:ran], ("crash", _worker_dies)])
            with pytest.raises(WorkerDied):
                deletion_request_execute(request=request)
        request.refresh_from_db()
        done = erasure.STEP_NAMES[: erasure.STEP_NAMES.index(crash_after) + 1]
        assert request.status == "verified" and request.steps_done == done  # visibly half-way

        deletion_request_execute(request=request)

        assert _state(request) == _state(clean_request)
        for name, row in (("clean", clean_request), ("crashed", request)):
            assert {k: row.counts[k] for k in expected[name]} == expected[name]
        assert scan([alpha.schema_name, "public"], needles) == {}
        assert verify_current_schema().intact


def test_executing_again_changes_nothing(alpha, alpha_client, manager):
    person = enrolled(alpha, alpha_client)
    with tenant_context(alpha):
        request = deletion_request_execute(request=_verified_request(person.participant, manager))
        before = (_state(request), AuditEntry.objects.count())
        again = deletion_request_execute(request=request)
        assert again.certificate_sha256 == request.certificate_sha256
        assert (_state(request), AuditEntry.objects.count()) == before


def test_a_request_that_is_not_verified_is_not_executed(alpha, alpha_client, manager):
    from core.errors import ApplicationError

    person = enrolled(alpha, alpha_client)
    with tenant_context(alpha):
        request, _ = deletion_request_file(participant=person.participant, source="participant")
        with pytest.raises(ApplicationError) as error:
            deletion_request_execute(request=request)
        assert error.value.status_code == 409
        assert Participant.objects.get(pk=person.participant.pk).status == "active"
