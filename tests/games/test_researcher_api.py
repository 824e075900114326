"""Researcher reads of game data: sessions (viewer+), per-balloon summaries (viewer+), raw events (analyst+)."""

from __future__ import annotations

import pytest

from games.simulate import TargetPolicy, simulate_session
from tests.conftest import api_client_for
from tests.games.support import enrol_gamer

ALPHA = "alpha.localhost"


@pytest.fixture
def played(alpha):
    gamer = enrol_gamer(alpha)
    session = gamer.start()
    sim = simulate_session(session["balloons"], TargetPolicy(target=5, jitter=1), seed=9, balloons=3)
    gamer.send(session["session_id"], sim.events)
    return gamer, session, sim


@pytest.mark.parametrize(
    ("actor", "sessions", "balloons", "events"),
    [
        ("admin", 200, 200, 200),
        ("manager", 200, 200, 200),
        ("analyst", 200, 200, 200),
        ("viewer", 200, 200, 403),
        ("compliance", 403, 403, 403),
        ("outsider", 404, 404, 404),
        ("other_manager", 404, 404, 404),
        ("anonymous", 401, 401, 401),
    ],
)
def test_each_caller_reaches_exactly_what_their_role_allows(cast, played, actor, sessions, balloons, events):
    _, session, _ = played
    client = api_client_for(cast[actor], ALPHA)
    sid = session["session_id"]
    assert client.get("/api/v1/sessions/").status_code == sessions
    assert client.get(f"/api/v1/sessions/{sid}/balloons/").status_code == balloons
    assert client.get(f"/api/v1/sessions/{sid}/events/").status_code == events


def test_sessions_are_listed_and_filtered_by_participant_and_status(cast, alpha, played, django_assert_max_num_queries):
    gamer, session, _ = played
    other = enrol_gamer(alpha)
    other.start()
    client = api_client_for(cast["viewer"], ALPHA)
    with django_assert_max_num_queries(10):
        everything = client.get("/api/v1/sessions/").json()
    assert everything["count"] == 2
    mine = client.get(f"/api/v1/sessions/?participant={gamer.code}").json()["results"]
    assert [(s["session_id"], s["participant_code"]) for s in mine] == [(session["session_id"], gamer.code)]
    assert client.get("/api/v1/sessions/?status=completed").json()["count"] == 0
    assert client.get("/api/v1/sessions/?status=nonsense").status_code == 400


def test_raw_events_come_in_seq_order_page_by_page(cast, played):
    _, session, sim = played
    client = api_client_for(cast["analyst"], ALPHA)
    seen, url = [], f"/api/v1/sessions/{session['session_id']}/events/?limit=7"
    while url:
        page = client.get(url).json()
        seen.extend(page["results"])
        url = page["next"]
    assert [e["seq"] for e in seen] == list(range(len(sim.events)))
    assert [e["event_id"] for e in seen] == [e["event_id"] for e in sim.events]
    assert {"received_at", "skew_ms", "sent_at", "flags"} <= set(seen[0])


def test_balloon_summaries_match_what_was_played(cast, played):
    _, session, sim = played
    client = api_client_for(cast["viewer"], ALPHA)
    body = client.get(f"/api/v1/sessions/{session['session_id']}/balloons/").json()
    assert [b["pumps"] for b in body["results"][:3]] == sim.pumps
    assert body["results"][3]["outcome"] == "pending"


def test_a_session_of_another_study_is_not_found(cast, beta, played):
    _, session, _ = played
    client = api_client_for(cast["other_manager"], "beta.localhost")
    assert client.get(f"/api/v1/sessions/{session['session_id']}/events/").status_code == 404
