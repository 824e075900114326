"""The game endpoints answer exactly what their OpenAPI schema declares (same keys, same order)."""

from __future__ import annotations

from games.simulate import TargetPolicy, simulate_session
from tests.conftest import api_client_for
from tests.games.support import enrol_gamer
from tests.games.test_confirmation import server_game  # noqa: F401  (a fixture: the study in server mode)
from tests.schema_support import assert_body_matches_schema

ALPHA = "alpha.localhost"
SESSION = "/api/v1/game/sessions/{session_id}/"


def test_start_status_complete_and_balloons_are_their_schemas(alpha, cast):
    gamer = enrol_gamer(alpha)
    started = gamer.post("/api/v1/game/sessions/")
    assert started.status_code == 201
    assert_body_matches_schema(started, host=ALPHA, path="/api/v1/game/sessions/", method="post")
    resumed = gamer.post("/api/v1/game/sessions/")
    assert resumed.status_code == 200
    assert_body_matches_schema(resumed, host=ALPHA, path="/api/v1/game/sessions/", method="post")
    session = started.json()
    sid = session["session_id"]
    sim = simulate_session(session["balloons"], TargetPolicy(target=5, jitter=1), seed=9, balloons=3)
    gamer.send(sid, sim.events)
    assert_body_matches_schema(gamer.get(f"/api/v1/game/sessions/{sid}/"), host=ALPHA, path=SESSION, method="get")
    balloons = api_client_for(cast["viewer"], ALPHA).get(f"/api/v1/sessions/{sid}/balloons/")
    assert balloons.status_code == 200 and balloons.json()["results"]
    assert_body_matches_schema(balloons, host=ALPHA, path="/api/v1/sessions/{session_id}/balloons/", method="get")
    completed = gamer.post(f"/api/v1/game/sessions/{sid}/complete/")
    assert completed.status_code == 202
    assert_body_matches_schema(completed, host=ALPHA, path=SESSION + "complete/", method="post")


def test_a_server_confirmed_pump_is_its_schema(server_game):  # noqa: F811
    gamer, session = server_game
    sid = session["session_id"]
    confirmed = gamer.post(f"/api/v1/game/sessions/{sid}/confirm/", {"balloon": 0, "action": "pump", "count": 1})
    assert confirmed.status_code == 200
    assert_body_matches_schema(confirmed, host=ALPHA, path=SESSION + "confirm/", method="post")
