"""The batch endpoint's refusals in their documented order, and the body parsed once, after the gate.

games/ingestion.py takes the body's bytes unparsed: an unknown token gets 401 whatever the body
holds, the byte limit 413 and someone else's session 404 before the body is parsed, then the body
its 400/413, and only then a closed session 409.
"""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from games import ingestion
from games.models import Event, GameSession
from games.services import session_ingest_events
from games.simulate import TargetPolicy, simulate_session
from tests.games.support import enrol_gamer

OVERSIZED = b'{"events": [], "padding": "' + b"x" * (ingestion.MAX_BATCH_BYTES + 1) + b'"}'
CONTENTS = {
    "unreadable": b'{"events": [',
    "not a batch": b"[1, 2, 3]",
    "too many events": b'{"events": [' + b",".join([b"{}"] * (ingestion.MAX_BATCH_EVENTS + 1)) + b"]}",
}
BODIES = {**CONTENTS, "over the byte limit": OVERSIZED}


def url(session_id: str) -> str:
    return f"/api/v1/game/sessions/{session_id}/events/"


def post(client, session_id: str, body: bytes, token: str | None = None):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url(session_id), body, content_type="application/json", **auth)


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_without_a_valid_token_the_answer_is_401_whatever_the_body_holds(started, body):
    gamer, session = started
    assert post(gamer.client, session["session_id"], body).status_code == 401
    assert post(gamer.client, session["session_id"], body, token="not-a-token").status_code == 401


@pytest.mark.parametrize("body", CONTENTS.values(), ids=CONTENTS.keys())
def test_someone_elses_session_is_404_whatever_the_body_holds(alpha, started, body):
    _, session = started
    other = enrol_gamer(alpha)
    response = post(other.client, session["session_id"], body, token=other.token)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_byte_limit_comes_before_the_session_is_looked_at(alpha, started):
    _, session = started
    other = enrol_gamer(alpha)  # a valid token: the size is known without parsing, the session is not theirs
    response = post(other.client, session["session_id"], OVERSIZED, token=other.token)
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_a_body_over_the_byte_limit_is_413_and_nothing_is_stored(alpha, started):
    gamer, session = started
    response = post(gamer.client, session["session_id"], OVERSIZED, token=gamer.token)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"] == {"max_bytes": ingestion.MAX_BATCH_BYTES}
    with tenant_context(alpha):
        assert not Event.objects.filter(session_id=session["session_id"]).exists()


def test_a_closed_session_answers_the_body_first_then_409(alpha, started):
    gamer, session = started
    with tenant_context(alpha):
        GameSession.objects.filter(pk=session["session_id"]).update(status=GameSession.Status.ABANDONED)
    assert post(gamer.client, session["session_id"], CONTENTS["unreadable"], token=gamer.token).status_code == 400
    assert post(gamer.client, session["session_id"], CONTENTS["too many events"], token=gamer.token).status_code == 413
    closed = post(gamer.client, session["session_id"], b'{"events": []}', token=gamer.token)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "session_closed"


def test_the_batch_size_is_checked_once_on_each_path(alpha, started, monkeypatch):
    gamer, session = started
    checked = []
    original = ingestion.check_batch_size

    def counting(events):
        checked.append(len(events))
        return original(events)

    monkeypatch.setattr(ingestion, "check_batch_size", counting)
    events = simulate_session(session["balloons"], TargetPolicy(target=4, jitter=1), seed=3, balloons=2).events
    half = len(events) // 2
    assert gamer.send(session["session_id"], events[:half]).status_code == 200
    assert checked == [half]  # the HTTP endpoint
    with tenant_context(alpha):
        result = session_ingest_events(
            session=GameSession.objects.get(pk=session["session_id"]), events=events[half:], sent_at=None
        )
    assert result.accepted == len(events) - half
    assert checked == [half, len(events) - half]  # the server-side path
