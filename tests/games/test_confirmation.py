"""#18 finding 5b: with pump_confirmation "server" the explosion points never reach the client."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from games.simulate import TargetPolicy, simulate_session
from tests.games.support import enrol_gamer

FIXED_POINTS = [5, 3, 8, 2]
SERVER_MODE = {"pump_confirmation": "server", "balloons_per_color": 4, "colors": [{"color": "blue", "max_pumps": 16}]}


@pytest.fixture
def server_game(alpha):
    from django_tenants.utils import tenant_context

    from games.services import game_settings_update

    with tenant_context(alpha):
        game_settings_update(acting_user=None, config=SERVER_MODE)
    connection.set_schema_to_public()
    gamer = enrol_gamer(alpha)
    session = gamer.start()
    # Fixed points (the drawn ones are random): every test below then asserts every case.

    from games.models import Balloon, GameSession

    with tenant_context(alpha):
        row = GameSession.objects.get(pk=session["session_id"])
        schedule = [{**b, "explosion_point": p} for b, p in zip(row.schedule, FIXED_POINTS, strict=True)]
        GameSession.objects.filter(pk=row.pk).update(schedule=schedule)
        for index, point in enumerate(FIXED_POINTS):
            Balloon.objects.filter(session=row, index=index).update(explosion_point=point)
    return gamer, session


def confirm(gamer, session, balloon, action, count):
    return gamer.post(
        f"/api/v1/game/sessions/{session['session_id']}/confirm/",
        {"balloon": balloon, "action": action, "count": count},
    )


def secret_points(alpha, session) -> list[int]:
    from django_tenants.utils import tenant_context

    from games.models import GameSession

    with tenant_context(alpha):
        return [b["explosion_point"] for b in GameSession.objects.get(pk=session["session_id"]).schedule]


def test_the_client_is_never_sent_an_explosion_point(alpha, server_game):
    gamer, session = server_game
    assert session["pump_confirmation"] == "server"
    assert all(b["explosion_point"] is None for b in session["balloons"])
    again = gamer.start()  # resuming says no more
    assert all(b["explosion_point"] is None for b in again["balloons"])
    page = gamer.client.get("/play/", HTTP_AUTHORIZATION=f"Bearer {gamer.token}").content.decode()
    for point in secret_points(alpha, session):
        assert f'"explosion_point": {point}' not in page and f'"explosion_point":{point}' not in page


def test_each_pump_is_confirmed_and_only_the_fatal_one_pops(alpha, server_game):
    gamer, session = server_game
    point = secret_points(alpha, session)[0]
    for n in range(1, point):
        answer = confirm(gamer, session, 0, "pump", n).json()
        assert (answer["pumps"], answer["popped"]) == (n, False)
    fatal = confirm(gamer, session, 0, "pump", point)
    assert fatal.status_code == 200 and fatal.json()["popped"] is True
    assert confirm(gamer, session, 0, "pump", point + 1).json()["error"]["code"] == "balloon_ended"
    assert confirm(gamer, session, 0, "collect", point).json()["error"]["code"] == "balloon_ended"
    assert confirm(gamer, session, 0, "pump", point).json()["popped"] is True  # a retry: the same answer


def test_probing_ahead_skipping_balloons_and_double_counting_are_refused(alpha, server_game):
    gamer, session = server_game
    skipped = confirm(gamer, session, 0, "pump", 5)
    assert skipped.status_code == 409 and skipped.json()["error"]["code"] == "not_consecutive"
    ahead = confirm(gamer, session, 1, "pump", 1)
    assert ahead.status_code == 409 and ahead.json()["error"]["code"] == "out_of_order"
    assert confirm(gamer, session, 0, "pump", 1).json()["pumps"] == 1
    assert confirm(gamer, session, 0, "pump", 1).json()["pumps"] == 1  # retried: not counted twice
    assert confirm(gamer, session, 0, "collect", 2).json()["error"]["code"] == "not_consecutive"
    banked = confirm(gamer, session, 0, "collect", 1)
    # Balloon 0 bursts at pump 5 (FIXED_POINTS): banking 1 works, and balloon 1 may begin.
    assert banked.json()["collected"] is True and confirm(gamer, session, 1, "pump", 1).status_code == 200
    bad = confirm(gamer, session, 0, "jump", 1)
    assert bad.status_code == 400 and "action" in bad.json()["error"]["details"]


def test_a_client_confirmed_study_refuses_the_confirmation_endpoint(alpha):
    gamer = enrol_gamer(alpha)
    session = gamer.start()
    assert session["pump_confirmation"] == "client" and session["balloons"][0]["explosion_point"] is not None
    refused = confirm(gamer, session, 0, "pump", 1)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_server_confirmed"


def test_a_confirmed_session_is_stored_and_checked_like_any_other(alpha, server_game):
    """The events still go through the batch API; the schedule check uses the server's points."""
    gamer, session = server_game
    points = secret_points(alpha, session)
    schedule = [{**b, "explosion_point": p} for b, p in zip(session["balloons"], points, strict=True)]
    events = simulate_session(schedule, TargetPolicy(target=5, jitter=1), seed=1).events
    for event in events:
        if event["type"] == "pump":
            confirm(gamer, session, event["balloon"], "pump", event["data"]["pump"])
        elif event["type"] == "cash_out":
            confirm(gamer, session, event["balloon"], "collect", event["data"]["pumps"])
    body = gamer.send(session["session_id"], events).json()
    assert body["accepted"] == len(events) and body["rejected"] == []
    status = gamer.get(f"/api/v1/game/sessions/{session['session_id']}/").json()
    assert "schedule_violations" not in json.dumps(status["quality_flags"])


def test_resuming_elsewhere_starts_from_the_servers_own_count(alpha, server_game):
    """A page that died after a confirmed pump (before its event was sent) resumes where the server stands."""
    gamer, session = server_game
    confirm(gamer, session, 0, "pump", 1)  # balloon 0 bursts at 5: both pumps are safe
    confirm(gamer, session, 0, "pump", 2)
    progress = gamer.start()["progress"]["balloons"]
    assert (progress[0]["confirmed_pumps"], progress[0]["confirmed_outcome"]) == (2, "")


def test_nothing_of_the_schedule_reaches_the_player_while_they_play(alpha, server_game):
    """The review found three side doors: the data download, violation counts, the status answer."""
    gamer, session = server_game
    point = secret_points(alpha, session)[0]
    base = f"/api/v1/game/sessions/{session['session_id']}/"
    pumps = [
        {
            "event_id": f"00000000-0000-4000-8000-{n:012d}",
            "seq": n,
            "type": "pump",
            "t": float(n),
            "client_ts": 1,
            "balloon": 0,
            "data": {"pump": n},
        }
        for n in range(1, 17)
    ]  # pumps past every possible point: pump_past_explosion would count 16 - e
    gamer.send(session["session_id"], pumps)
    status = gamer.get(base).json()
    assert "schedule_violations" not in status["quality_flags"]
    download = gamer.get("/api/v1/me/data/").content.decode()
    assert '"explosion_point"' not in download and '"schedule"' not in download and '"seed"' not in download
    assert "pump_past_explosion" not in download
    assert point >= 1


def test_events_that_contradict_the_servers_count_are_flagged_and_not_paid(alpha, server_game):
    """A script pumps balloon 0 to its burst through the server, then reports a collect one short."""
    from django_tenants.utils import tenant_context

    from games.models import Balloon

    gamer, session = server_game
    points = secret_points(alpha, session)
    for n in range(1, points[0] + 1):
        confirm(gamer, session, 0, "pump", n)  # the last one pops
    schedule = [{**b, "explosion_point": p} for b, p in zip(session["balloons"], points, strict=True)]
    events = simulate_session(schedule, TargetPolicy(target=1, jitter=0), seed=2).events
    forged = [e for e in events if e.get("balloon") in (None, 0)]
    # Balloon 0 made a collect at e - 1, though the server saw it burst at e.
    forged = (
        [e for e in forged if e["type"] not in ("pump", "cash_out", "pop")]
        + [
            {
                **events[0],
                "event_id": f"00000000-0000-4000-8000-{n:012d}",
                "seq": 100 + n,
                "type": "pump",
                "balloon": 0,
                "data": {"pump": n},
            }
            for n in range(1, points[0])
        ]
        + [
            {
                **events[0],
                "event_id": "00000000-0000-4000-8000-000000000999",
                "seq": 200,
                "type": "cash_out",
                "balloon": 0,
                "data": {"pumps": points[0] - 1},
            }
        ]
    )
    assert gamer.send(session["session_id"], forged).status_code == 200
    assert gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/").status_code == 202
    with tenant_context(alpha):
        from games.models import GameSession

        row = GameSession.objects.get(pk=session["session_id"])
        balloon = Balloon.objects.get(session=row, index=0)
    assert row.quality_flags["unconfirmed_play"] == {"balloons": 1}
    assert (balloon.outcome, float(balloon.earnings)) == ("popped", 0.0)
