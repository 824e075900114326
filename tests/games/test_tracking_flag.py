"""#18 finding 5a end to end: a script that collects one pump before every burst is flagged.

Before this, such a session stored 1,914 events, 0 pops, 92.60 USD and ended `processed` with no
quality flag. Now its completion carries `tracks_hidden_schedule`, the pipeline flags the
session, the dashboard names the flag and the balloon export carries it on every row.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping
from typing import Any

from django.test import Client
from django_tenants.utils import tenant_context

from games.models import GameSession
from games.simulate import TargetPolicy, simulate_session
from tests.conftest import api_client_for


class ScheduleScript:
    """Reads the explosion points the client was sent and stops one pump short of each."""

    def wants_pump(self, *, balloon: Mapping[str, Any], pumps: int, rng: random.Random) -> bool:
        return pumps < max(1, int(balloon["explosion_point"]) - 1)

    def observe(self, *, pumps: int, popped: bool) -> None:
        return None


def play_and_complete(gamer, policy, capture) -> str:
    session = gamer.start()
    events = simulate_session(session["balloons"], policy, seed=session["session_id"]).events
    for i in range(0, len(events), 500):
        assert gamer.send(session["session_id"], events[i : i + 500]).json()["accepted"] == len(events[i : i + 500])
    with capture(execute=True):  # the pipeline starts once the completion commits
        assert gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/").status_code == 202
    return session["session_id"]


def test_a_script_that_tracks_the_schedule_is_flagged_shown_and_exported(
    alpha, gamer, cast, django_capture_on_commit_callbacks
):
    session_id = play_and_complete(gamer, ScheduleScript(), django_capture_on_commit_callbacks)
    with tenant_context(alpha):
        row = GameSession.objects.get(pk=session_id)
    tracking = row.quality_flags["tracks_hidden_schedule"]
    assert tracking["pops"] <= 1 and tracking["expected_pops"] > 5 and tracking["p_value"] < 1e-3
    assert row.status == GameSession.Status.FLAGGED  # the pipeline ran (eager tasks in unit tests)
    assert "tracks_hidden_schedule" in row.quality_flags["processing"]

    browser = Client(HTTP_HOST=alpha.domain_name)
    browser.force_login(cast["viewer"])
    page = browser.get(f"/dashboard/participants/{gamer.code}/").content.decode()
    assert "tracks_hidden_schedule" in page

    export = api_client_for(cast["analyst"], alpha.domain_name).get("/api/v1/export/?format=balloons")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows and all("tracks_hidden_schedule" in r["session_flags"].split(";") for r in rows)


def test_honest_play_of_the_same_schedule_is_not_flagged(alpha, gamer, django_capture_on_commit_callbacks):
    policy = TargetPolicy(target=0.35, jitter=4, relative=True)
    session_id = play_and_complete(gamer, policy, django_capture_on_commit_callbacks)
    with tenant_context(alpha):
        row = GameSession.objects.get(pk=session_id)
    assert "tracks_hidden_schedule" not in row.quality_flags
    assert row.status == GameSession.Status.PROCESSED
