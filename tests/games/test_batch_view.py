"""The event-batch endpoint without DRF: the same credentials, refusals and documentation as before.

games/batch_view.py answers POST .../events/ with a plain Django view and games/ingestion.py's
three prepared statements; these tests pin what that must not have changed (CSRF for the cookie,
every refusal's code, immediate revocation, one connection serving several studies).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from games.models import Event
from games.simulate import TargetPolicy, simulate_session
from pseudonymization.crypto import token_hash
from pseudonymization.models import Participant, ParticipantToken
from tests.conftest import host_client
from tests.games.support import enrol_gamer


def events_for(session, n=1, seed=3):
    return simulate_session(session["balloons"], TargetPolicy(target=4, jitter=1), seed=seed, balloons=n).events


def url(session) -> str:
    return f"/api/v1/game/sessions/{session['session_id']}/events/"


def error_code(response) -> str:
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]["code"]


def test_the_cookie_works_only_with_the_csrf_token(alpha, started):
    gamer, session = started
    client = type(gamer.client)(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    client.cookies["participant_token"] = gamer.token
    body = json.dumps({"events": events_for(session)})
    refused = client.post(url(session), body, content_type="application/json")
    assert refused.status_code == 403 and error_code(refused) == "permission_denied"
    assert "CSRF" in refused.json()["error"]["message"]
    page = client.get("/play/").content.decode()
    csrf = json.loads(re.search(r'id="bg-boot" type="application/json">(.*?)</script>', page).group(1))["csrf_token"]
    allowed = client.post(url(session), body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["accepted"] == len(json.loads(body)["events"])


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Token abc"}, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Bearer"}, "authentication_failed"),
        ({"HTTP_AUTHORIZATION": "Bearer a b"}, "authentication_failed"),
        ({"HTTP_AUTHORIZATION": "Bearer " + "x" * 300}, "authentication_failed"),
        ({"HTTP_AUTHORIZATION": "Bearer not-a-token"}, "authentication_failed"),
        ({"HTTP_AUTHORIZATION": "   "}, "not_authenticated"),
    ],
)
def test_missing_or_bad_credentials_are_401_with_the_challenge(alpha, started, headers, code):
    _, session = started
    response = host_client(alpha.domain_name).post(
        url(session), {"events": []}, content_type="application/json", **headers
    )
    assert response.status_code == 401 and error_code(response) == code
    assert response["WWW-Authenticate"] == 'Bearer realm="participant"'


def test_other_methods_and_media_types_get_clear_refusals(started):
    gamer, session = started
    got = gamer.get(url(session))
    assert got.status_code == 405 and error_code(got) == "method_not_allowed" and "POST" in got["Allow"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {gamer.token}"}
    text = gamer.client.post(url(session), "events", content_type="text/plain", **auth)
    assert text.status_code == 415 and error_code(text) == "unsupported_media_type"
    form = gamer.client.post(url(session), {"events": "x"}, **auth)
    assert form.status_code == 400 and error_code(form) == "malformed_batch"
    empty = gamer.client.post(url(session), b"", content_type="application/json", **auth)
    assert empty.status_code == 400 and error_code(empty) == "malformed_batch"
    nul = gamer.client.post(
        url(session), '{"events": [{"data": {"note": "\\u0000"}}]}', content_type="application/json", **auth
    )
    assert nul.status_code == 400 and error_code(nul) == "invalid"
    assert nul.json()["error"]["details"] == {"events.0.data.note": ["Must not contain a NUL character."]}
    broken = gamer.client.post(url(session), '{"events": [', content_type="application/json", **auth)
    assert broken.status_code == 400 and error_code(broken) == "malformed_request"


@pytest.mark.parametrize("change", ["revoked", "expired", "erased"])
def test_a_revoked_or_expired_token_or_an_erased_person_is_refused_at_the_very_next_batch(alpha, started, change):
    gamer, session = started
    first = events_for(session, seed=1)
    assert gamer.send(session["session_id"], first[:3]).status_code == 200
    with tenant_context(alpha):
        row = ParticipantToken.objects.get(token_hash=token_hash(gamer.token))
        if change == "revoked":
            ParticipantToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        elif change == "expired":
            ParticipantToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        else:
            Participant.objects.filter(pk=row.participant_id).update(status=Participant.Status.ERASED)
    response = gamer.send(session["session_id"], first[3:])
    assert response.status_code == 401 and error_code(response) == "authentication_failed"
    with tenant_context(alpha):
        assert Event.objects.filter(session_id=session["session_id"]).count() == 3


def test_a_new_consent_version_with_reconsent_required_stops_the_batches(alpha, started):
    from consent.services import consent_settings_update
    from tests.consent.support import publish

    gamer, session = started
    publish(alpha, version="9.0")
    assert gamer.send(session["session_id"], events_for(session)[:2]).status_code == 200  # re-consent not required
    with tenant_context(alpha):
        consent_settings_update(acting_user=None, require_reconsent=True)
    response = gamer.send(session["session_id"], events_for(session)[2:4])
    assert response.status_code == 403 and error_code(response) == "consent_required"


def test_the_endpoint_is_still_documented_in_the_openapi_schema(alpha):
    schema = host_client(alpha.domain_name).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/game/sessions/{session_id}/events/"]["post"]
    assert {"200", "400", "401", "404", "409", "413", "429"} <= set(operation["responses"])
    assert "EventBatch" in json.dumps(operation["requestBody"])


def test_one_connection_serving_two_studies_stores_each_batch_in_its_own_study(alpha, beta):
    """The statements are prepared once per connection; PostgreSQL re-reads them per search_path."""
    a, b = enrol_gamer(alpha), enrol_gamer(beta)
    a_session, b_session = a.start(), b.start()
    a_events, b_events = events_for(a_session, n=2, seed=5), events_for(b_session, n=2, seed=6)
    thirds_a, thirds_b = len(a_events) // 3, len(b_events) // 3
    for gamer, session, part in (
        (a, a_session, a_events[:thirds_a]),
        (b, b_session, b_events[:thirds_b]),
        (a, a_session, a_events[thirds_a : 2 * thirds_a]),
        (b, b_session, b_events[thirds_b : 2 * thirds_b]),
    ):
        assert gamer.send(session["session_id"], part).json()["accepted"] == len(part)
    # What a new connection looks like (no statement prepared on the server, none remembered):
    # closing the real one would end the test's transaction.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._prepared_statements = None
    for gamer, session, part in ((b, b_session, b_events[2 * thirds_b :]), (a, a_session, a_events[2 * thirds_a :])):
        assert gamer.send(session["session_id"], part).json()["accepted"] == len(part)
    with tenant_context(alpha):
        assert Event.objects.filter(session_id=a_session["session_id"]).count() == len(a_events)
        assert not Event.objects.filter(session_id=b_session["session_id"]).exists()
    with tenant_context(beta):
        assert Event.objects.filter(session_id=b_session["session_id"]).count() == len(b_events)
        assert not Event.objects.filter(session_id=a_session["session_id"]).exists()
