"""Withdrawal: data collection stops at once (409); the study's protocol keeps or erases what was collected."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from consent.models import ConsentRecord
from pseudonymization.models import Participant
from rights.models import DeletionRequest
from rights.services import rights_settings_update
from tests.conftest import enrolled
from tests.rights.support import play


def test_by_default_withdrawal_keeps_the_data_collected_so_far(alpha, alpha_client, django_capture_on_commit_callbacks):
    person = enrolled(alpha, alpha_client)
    with django_capture_on_commit_callbacks(execute=True):
        assert alpha_client.post("/api/v1/me/withdraw/", **person.auth).status_code == 200
    with tenant_context(alpha):
        assert not DeletionRequest.objects.exists()
        assert ConsentRecord.objects.filter(participant=person.participant).exists()


def test_an_erase_on_withdrawal_protocol_files_and_executes_a_deletion_request(
    alpha, alpha_client, django_capture_on_commit_callbacks
):
    person = enrolled(alpha, alpha_client, external_id="PANEL-9")
    with tenant_context(alpha):
        rights_settings_update(acting_user=None, withdrawal_data="erase")
    with django_capture_on_commit_callbacks(execute=True):
        assert alpha_client.post("/api/v1/me/withdraw/", **person.auth).status_code == 200
    with tenant_context(alpha):
        request = DeletionRequest.objects.get()
        assert (request.source, request.status) == ("withdrawal", "executed")
        assert Participant.objects.get(pk=person.participant.pk).status == "erased"
        assert not ConsentRecord.objects.filter(participant_id=person.participant.pk).exists()
    # The withdrawn (now erased) participant's token no longer sends anything anywhere.
    assert alpha_client.post("/api/v1/me/withdraw/", **person.auth).status_code == 401


def test_ingestion_stops_at_once_on_withdrawal_and_the_kept_data_stays(alpha, alpha_client):
    from games.models import Event, GameSession
    from games.simulate import TargetPolicy, simulate_session

    person = enrolled(alpha, alpha_client)
    session_id = play(alpha_client, person, seed=21, complete=False)
    with tenant_context(alpha):
        before = Event.objects.filter(session_id=session_id).count()
        schedule = GameSession.objects.get(pk=session_id).schedule
    alpha_client.post("/api/v1/me/withdraw/", **person.auth)
    late = simulate_session(schedule, TargetPolicy(target=5), seed=22, balloons=1).events
    response = alpha_client.post(
        f"/api/v1/game/sessions/{session_id}/events/",
        {"events": late, "sent_at": 1_732_521_800_000},
        content_type="application/json",
        **person.auth,
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "withdrawn"
    restart = alpha_client.post("/api/v1/game/sessions/", {}, content_type="application/json", **person.auth)
    assert restart.status_code == 409
    with tenant_context(alpha):
        assert Event.objects.filter(session_id=session_id).count() == before > 0
