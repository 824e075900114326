"""The deletion workflow over HTTP: the participant files, managers list, verify, execute, reject."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEntry
from pseudonymization.models import Participant
from rights.certificate import certificate_sha256
from rights.models import DeletionRequest
from rights.services import rights_settings_update
from tests.conftest import api_client_for, enrolled


def test_a_participant_files_once_and_a_second_request_returns_the_open_one(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    first = alpha_client.post("/api/v1/me/deletion-request/", **person.auth)
    again = alpha_client.post("/api/v1/me/deletion-request/", **person.auth)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json() and first.json()["status"] == "received"
    with tenant_context(alpha):
        request = DeletionRequest.objects.get()
        assert request.source == "participant" and request.requested_by_user_id is None
        assert timedelta(days=29, hours=23) < request.due_at - request.received_at <= timedelta(days=30)
    assert alpha_client.get("/api/v1/me/deletion-request/", **person.auth).json() == first.json()


def test_the_due_date_follows_the_study_setting(alpha, alpha_client):
    person = enrolled(alpha, alpha_client)
    with tenant_context(alpha):
        rights_settings_update(acting_user=None, due_days=7)
    alpha_client.post("/api/v1/me/deletion-request/", **person.auth)
    with tenant_context(alpha):
        request = DeletionRequest.objects.get()
        assert request.due_at - request.received_at == timedelta(days=7)


def test_managers_see_overdue_requests(alpha, alpha_client, cast):
    late, timely = enrolled(alpha, alpha_client), enrolled(alpha, alpha_client)
    for person in (late, timely):
        alpha_client.post("/api/v1/me/deletion-request/", **person.auth)
    with tenant_context(alpha):
        DeletionRequest.objects.filter(participant=late.participant).update(due_at=timezone.now() - timedelta(days=1))
    client = api_client_for(cast["manager"], alpha.domain_name)
    rows = client.get("/api/v1/deletion-requests/").json()["results"]
    assert [(r["participant_code"], r["overdue"]) for r in rows] == [(late.code, True), (timely.code, False)]
    overdue = client.get("/api/v1/deletion-requests/?overdue=true").json()["results"]
    assert [r["participant_code"] for r in overdue] == [late.code]
    page = api_client_for(cast["manager"], alpha.domain_name)
    page.force_login(cast["manager"])
    html = page.get("/manage/deletion-requests/").content.decode()
    assert "1 request overdue" in html and html.count('<tr class="rp-overdue"') == 1


def test_the_list_costs_a_fixed_number_of_queries(alpha, alpha_client, cast, django_assert_max_num_queries):
    for _ in range(5):
        alpha_client.post("/api/v1/me/deletion-request/", **enrolled(alpha, alpha_client).auth)
    client = api_client_for(cast["manager"], alpha.domain_name)
    client.get("/api/v1/deletion-requests/")  # warm caches (content types, permissions)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/deletion-requests/").json()["results"]) == 5


def test_verify_then_execute_erases_and_the_requester_fetches_the_certificate(
    alpha, alpha_client, cast, django_capture_on_commit_callbacks
):
    person = enrolled(alpha, alpha_client, external_id="PANEL-77")
    request_id = alpha_client.post("/api/v1/me/deletion-request/", **person.auth).json()["request_id"]
    client = api_client_for(cast["manager"], alpha.domain_name)
    assert client.post(f"/api/v1/deletion-requests/{request_id}/verify/").json()["status"] == "verified"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/deletion-requests/{request_id}/execute/")
    assert response.status_code == 202
    detail = client.get(f"/api/v1/deletion-requests/{request_id}/").json()
    assert detail["status"] == "executed" and detail["counts"]["identifier_key"] == 1
    # The requester has no token any more; the request id is enough for the content-free certificate.
    assert alpha_client.get("/api/v1/me/deletion-request/", **person.auth).status_code == 401
    certificate = alpha_client.get(f"/api/v1/deletion-certificates/{request_id}/").json()
    assert certificate["sha256"] == certificate_sha256(certificate["certificate"]) == detail["certificate_sha256"]
    with tenant_context(alpha):
        assert Participant.objects.get(pk=person.participant.pk).status == "erased"
        actions = set(AuditEntry.objects.values_list("event", flat=True))
        assert {"rights.deletion.create", "rights.deletion.verify", "rights.deletion.execute"} <= actions


def test_a_certificate_is_not_shown_before_execution_nor_on_another_study(
    alpha, beta, alpha_client, beta_client, cast, django_capture_on_commit_callbacks
):
    person = enrolled(alpha, alpha_client)
    request_id = alpha_client.post("/api/v1/me/deletion-request/", **person.auth).json()["request_id"]
    assert alpha_client.get(f"/api/v1/deletion-certificates/{request_id}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        api_client_for(cast["manager"], alpha.domain_name).post(f"/api/v1/deletion-requests/{request_id}/execute/")
    assert alpha_client.get(f"/api/v1/deletion-certificates/{request_id}/").status_code == 200
    assert beta_client.get(f"/api/v1/deletion-certificates/{request_id}/").status_code == 404


def test_a_rejected_request_keeps_the_data_and_says_why(alpha, alpha_client, cast):
    person = enrolled(alpha, alpha_client)
    request_id = alpha_client.post("/api/v1/me/deletion-request/", **person.auth).json()["request_id"]
    client = api_client_for(cast["manager"], alpha.domain_name)
    assert client.post(f"/api/v1/deletion-requests/{request_id}/reject/", {}, format="json").status_code == 400
    response = client.post(
        f"/api/v1/deletion-requests/{request_id}/reject/", {"reason": "Duplicate of a request by e-mail"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert client.post(f"/api/v1/deletion-requests/{request_id}/execute/").status_code == 409
    with tenant_context(alpha):
        assert Participant.objects.get(pk=person.participant.pk).status == "active"
        entry = AuditEntry.objects.get(event="rights.deletion.reject")
        assert "Duplicate" not in str(entry.additional_data) and "Duplicate" not in str(entry.changes)
    # A new request is possible after a rejection.
    assert alpha_client.post("/api/v1/me/deletion-request/", **person.auth).json()["request_id"] != request_id


def test_with_automatic_execution_the_participants_request_runs_at_once(
    alpha, alpha_client, django_capture_on_commit_callbacks
):
    person = enrolled(alpha, alpha_client)
    with tenant_context(alpha):
        rights_settings_update(acting_user=None, auto_execute=True)
    with django_capture_on_commit_callbacks(execute=True):
        body = alpha_client.post("/api/v1/me/deletion-request/", **person.auth).json()
    assert body["status"] == "verified"
    with tenant_context(alpha):
        assert DeletionRequest.objects.get(pk=body["request_id"]).status == "executed"


def test_a_manager_files_on_a_participants_behalf(alpha, alpha_client, cast):
    person = enrolled(alpha, alpha_client)
    client = api_client_for(cast["manager"], alpha.domain_name)
    first = client.post("/api/v1/deletion-requests/", {"participant_code": person.code}, format="json")
    again = client.post("/api/v1/deletion-requests/", {"participant_code": person.code}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["source"] == "manager" and first.json()["requested_by_user_id"] == cast["manager"].pk
    assert first.json()["request_id"] == again.json()["request_id"]
    assert (
        client.post("/api/v1/deletion-requests/", {"participant_code": "P-0000-0000"}, format="json").status_code == 404
    )


def test_the_manager_page_acts_on_requests(alpha, alpha_client, cast, django_capture_on_commit_callbacks):
    person = enrolled(alpha, alpha_client)
    request_id = alpha_client.post("/api/v1/me/deletion-request/", **person.auth).json()["request_id"]
    page = api_client_for(None, alpha.domain_name)
    page.force_login(cast["manager"])
    assert page.post("/manage/deletion-requests/", {"request_id": request_id, "action": "verify"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        page.post("/manage/deletion-requests/", {"request_id": request_id, "action": "execute"})
    with tenant_context(alpha):
        assert DeletionRequest.objects.get(pk=request_id).status == "executed"
    viewer = api_client_for(None, alpha.domain_name)
    viewer.force_login(cast["viewer"])
    assert viewer.get("/manage/deletion-requests/").status_code == 403


def test_the_manager_page_needs_a_recent_login_to_execute(alpha, alpha_client, cast):
    """As the API (#18 finding 4): an old browser session is asked to sign in again."""
    from datetime import timedelta

    from django.utils import timezone

    person = enrolled(alpha, alpha_client)
    request_id = alpha_client.post("/api/v1/me/deletion-request/", **person.auth).json()["request_id"]
    page = api_client_for(None, alpha.domain_name)
    page.force_login(cast["manager"])
    page.post("/manage/deletion-requests/", {"request_id": request_id, "action": "verify"})
    session = page.session
    session["login_at"] = (timezone.now() - timedelta(minutes=30)).isoformat()
    session.save()
    refused = page.post("/manage/deletion-requests/", {"request_id": request_id, "action": "execute"})
    assert refused.status_code == 403 and b"login within the last 15 minutes" in refused.content
    with tenant_context(alpha):
        assert DeletionRequest.objects.get(pk=request_id).status != "executed"
