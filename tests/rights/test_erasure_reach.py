"""Issue 8's "Done when": after deletion no table of the study's schema or of public — the audit
tables included — holds the participant's code, identifier, token hashes, session or event ids;
both audit chains verify; traits results are gone; processing refuses withdrawn and erased people."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from audit.models import AuditEntry
from audit.verification import verify_current_schema, verify_schema
from pseudonymization.models import Participant
from pseudonymization.services import participant_external_id
from rights.models import DeletionRequest
from rights.services import deletion_request_execute, deletion_request_file, deletion_request_verify
from tests.conftest import api_client_for, enrolled
from tests.rights.support import play, scan, traces
from traits.models import ModelFit, SessionMetrics, TraitProfile
from traits.tasks import process_session


def _processed_game(client, person, seed, capture) -> str:
    """A completed session that traits processed (its on-commit task run eagerly)."""
    with capture(execute=True):
        session_id = play(client, person, seed=seed, balloons=30)
    return session_id


def _looked_up_everywhere(alpha, cast, person) -> None:
    """Audit entries that name the participant in both chains: searches, a re-identification."""
    officer = api_client_for(cast["compliance"], "localhost")
    assert officer.get("/api/v1/audit/", {"object": person.code, "study": "alpha"}).status_code == 200
    assert (
        api_client_for(cast["compliance"], alpha.domain_name).get("/api/v1/audit/", {"object": person.code}).status_code
        == 200
    )
    manager = api_client_for(cast["manager"], alpha.domain_name)
    reidentified = manager.post(
        f"/api/v1/participants/{person.code}/reidentify/", {"reason": "Payment reconciliation"}, format="json"
    )
    assert reidentified.status_code == 200, reidentified.content


def test_every_table_of_both_schemas_is_clean_and_both_chains_verify(
    alpha, alpha_client, cast, django_capture_on_commit_callbacks
):
    person = enrolled(alpha, alpha_client, external_id="PANEL-4711")
    bystander = enrolled(alpha, alpha_client, external_id="PANEL-0815")
    session_id = _processed_game(alpha_client, person, 41, django_capture_on_commit_callbacks)
    other_session = _processed_game(alpha_client, bystander, 42, django_capture_on_commit_callbacks)
    _looked_up_everywhere(alpha, cast, person)
    connection.set_schema_to_public()
    with tenant_context(alpha):
        assert TraitProfile.objects.filter(participant=person.participant).count() == 1
        assert SessionMetrics.objects.filter(session_id=session_id).exists()
        assert ModelFit.objects.filter(session_id=session_id).count() == 2
        needles = traces(person.participant)
    schemas = [alpha.schema_name, "public"]
    before = scan(schemas, needles)
    # The audit tables of both chains did name the participant (else this test would prove nothing).
    assert f"{alpha.schema_name}.audit_auditentry" in before and "public.audit_auditentry" in before

    with tenant_context(alpha):
        request, _ = deletion_request_file(participant=person.participant, source="manager")
        request = deletion_request_verify(request=request, acting_user=cast["manager"])
        request = deletion_request_execute(request=request)
        assert request.counts["audit"] > 0
        assert request.counts["profiles"] == 1 and request.counts["fits"] == 2 and request.counts["metrics"] == 1

    assert scan(schemas, needles) == {}
    with tenant_context(alpha):
        erased = Participant.objects.get(pk=person.participant.pk)
        assert participant_external_id(participant=erased) is None
        verdict = verify_current_schema()
        assert verdict.intact and verdict.redacted >= request.counts["audit"]
        # No entry left that points at the participant's row, except the request's own (tombstone).
        pk = str(erased.pk)
        for entry in AuditEntry.objects.filter(redacted_at__isnull=True).exclude(object_type="rights.deletionrequest"):
            participant_ref = (entry.changes or {}).get("participant") if isinstance(entry.changes, dict) else None
            assert not participant_ref or pk not in [str(v) for v in participant_ref], entry
            assert not (entry.object_type == "pseudonymization.participant" and entry.object_pk == pk), entry
        # The erasure's own entries carry the request id and counts only.
        for entry in AuditEntry.objects.filter(event__startswith="rights.").filter(seq__gt=request_start_seq(request)):
            assert set(entry.additional_data or {}) <= {"request_id", "step", "count", "counts", "certificate_sha256"}
            assert entry.object_pk in ("", str(request.pk))
        # The bystander keeps everything.
        assert TraitProfile.objects.filter(session_id=other_session).count() == 1
        assert participant_external_id(participant=bystander.participant) == "PANEL-0815"
    public = verify_schema("public")
    assert public.intact and public.redacted >= 1
    with schema_context("public"):
        assert AuditEntry.objects.filter(event="audit.redact", study="alpha").exists()


def request_start_seq(request: DeletionRequest) -> int:
    return AuditEntry.objects.get(event="rights.deletion.start", object_pk=str(request.pk)).seq


@pytest.mark.parametrize("status", ["withdrawn", "erased"])
def test_processing_refuses_withdrawn_and_erased_participants(alpha, alpha_client, status):
    person = enrolled(alpha, alpha_client)
    session_id = play(alpha_client, person, seed=43, balloons=30)  # completed; its task not run
    with tenant_context(alpha):
        Participant.objects.filter(pk=person.participant.pk).update(status=status)
        result = process_session.apply(args=[session_id]).get()
        assert result == {"session": session_id, "skipped": status}
        assert not SessionMetrics.objects.filter(session_id=session_id).exists()
        assert not TraitProfile.objects.filter(participant=person.participant).exists()


def test_the_pending_sweep_does_not_queue_a_withdrawn_participants_sessions(alpha, alpha_client):
    from traits.selectors import sessions_pending_processing

    person = enrolled(alpha, alpha_client)
    session_id = play(alpha_client, person, seed=44, balloons=30)
    with tenant_context(alpha):
        assert session_id in {str(pk) for pk in sessions_pending_processing()}
        Participant.objects.filter(pk=person.participant.pk).update(status="withdrawn")
        assert session_id not in {str(pk) for pk in sessions_pending_processing()}
