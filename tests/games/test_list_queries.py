"""A session's balloons and events cost the same number of queries for 3 balloons played as for 10."""

from __future__ import annotations

from games.simulate import TargetPolicy, simulate_session
from tests.conftest import api_client_for, queries_of_get
from tests.games.support import enrol_gamer


def _session_of(alpha, balloons: int) -> str:
    gamer = enrol_gamer(alpha)
    session = gamer.start()
    sim = simulate_session(session["balloons"], TargetPolicy(target=5, jitter=1), seed=balloons, balloons=balloons)
    assert gamer.send(session["session_id"], sim.events).status_code == 200
    return session["session_id"]


def test_a_sessions_balloons_and_events_do_not_grow_queries_with_its_length(cast, alpha):
    short, long = _session_of(alpha, 3), _session_of(alpha, 10)
    client = api_client_for(cast["analyst"], alpha.domain_name)
    balloons = client.get(f"/api/v1/sessions/{long}/balloons/").json()["results"]
    assert len([b for b in balloons if b["ended_t"] is not None]) == 10  # the rest of the schedule is unplayed
    for rows in ("balloons", "events"):
        few = queries_of_get(client, f"/api/v1/sessions/{short}/{rows}/", {"limit": 1000})
        assert queries_of_get(client, f"/api/v1/sessions/{long}/{rows}/", {"limit": 1000}) == few, rows
