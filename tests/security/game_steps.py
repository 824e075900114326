"""The game part of the full flow: start a session, send its events in batches, complete it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from games.simulate import TargetPolicy, batches, simulate_session
from tests.consent.support import bearer


def play_session(api: Client, token: str, *, client_info: dict | None = None) -> list[tuple[str, Any]]:
    auth = bearer(token)
    steps: list[tuple[str, Any]] = []
    start = api.post(
        "/api/v1/game/sessions/",
        {"client_info": client_info or {"ua": "test"}},
        content_type="application/json",
        **auth,
    )
    steps.append(("game start", start))
    session = start.json()
    played = simulate_session(session["balloons"], TargetPolicy(target=8), seed="security-flow", balloons=3)
    for batch in batches(played.events, size=25):
        url = f"/api/v1/game/sessions/{session['session_id']}/events/"
        steps.append(
            (
                "game events",
                api.post(url, {"sent_at": 1_732_521_700_000, "events": batch}, content_type="application/json", **auth),
            )
        )
    steps.append(
        (
            "game complete",
            api.post(
                f"/api/v1/game/sessions/{session['session_id']}/complete/", {}, content_type="application/json", **auth
            ),
        )
    )
    steps.append(("game status", api.get(f"/api/v1/game/sessions/{session['session_id']}/", **auth)))
    return steps
