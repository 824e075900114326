"""Helpers of the rights tests: a participant's game data, and a scan of every table (enrolment: tests.conftest)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client

from pseudonymization.authentication import COOKIE_NAME
from pseudonymization.models import Participant, ParticipantToken
from tests.conftest import Enrolled


def traces(participant: Participant) -> list[str]:
    """Strings whose presence anywhere would mean the participant was not fully erased."""
    participant.refresh_from_db()
    needles = [participant.participant_code]
    if participant.external_id_index:
        needles.append(participant.external_id_index)
    if participant.external_id_ciphertext:
        needles.append(bytes(participant.external_id_ciphertext).hex())
    needles += list(ParticipantToken.objects.filter(participant=participant).values_list("token_hash", flat=True))
    try:
        from games.models import Event, GameSession

        sessions = list(GameSession.objects.filter(participant=participant).values_list("pk", flat=True))
        needles += [str(pk) for pk in sessions]
        needles += [str(e) for e in Event.objects.filter(session_id__in=sessions).values_list("event_id", flat=True)]
    except ImportError:
        pass
    return needles


def scan(schemas: list[str], needles: list[str], *, skip: frozenset[str] = frozenset()) -> dict:
    """{"schema.table": hits} for every base table (the audit tables too) whose rows, as text, contain any needle."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema = ANY(%s)",
            [schemas],
        )
        tables = cursor.fetchall()
        for schema, table in tables:
            if table in skip:
                continue
            cursor.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" t '
                "WHERE EXISTS (SELECT 1 FROM unnest(%s::text[]) n WHERE strpos(lower(t::text), lower(n)) > 0)",
                [needles],
            )
            hits = cursor.fetchone()[0]
            if hits:
                found[f"{schema}.{table}"] = hits
    return found


def play(client: Client, person: Enrolled, *, seed: int, balloons: int = 3, complete: bool = True) -> str:
    """Start a session as ``person``, send a simulated game for ``balloons`` balloons; the session id."""
    from games.simulate import TargetPolicy, simulate_session

    start = client.post("/api/v1/game/sessions/", {}, content_type="application/json", **person.auth)
    assert start.status_code == 201, start.content  # always a new session: any earlier one was completed
    body = start.json()
    events = simulate_session(body["balloons"], TargetPolicy(target=5, jitter=2), seed=seed, balloons=balloons).events
    sent = client.post(
        f"/api/v1/game/sessions/{body['session_id']}/events/",
        {"events": events, "sent_at": 1_732_521_700_000},
        content_type="application/json",
        **person.auth,
    )
    assert sent.status_code == 200 and sent.json()["accepted"] == len(events), sent.content
    if complete:
        done = client.post(f"/api/v1/game/sessions/{body['session_id']}/complete/", **person.auth)
        assert done.status_code == 202, done.content
    return body["session_id"]


def stored_counts(participant: Participant) -> dict[str, int]:
    """What the erasure should report for the game data of ``participant``."""
    from games.models import Balloon, Event, GameSession

    return {
        "sessions": GameSession.objects.filter(participant=participant).count(),
        "balloons": Balloon.objects.filter(session__participant=participant).count(),
        "events": Event.objects.filter(session__participant=participant).count(),
    }


def browser_client(study: Any, token: str | None = None, **kwargs: Any) -> Client:
    """A browser on the study's host, holding the participant cookie when ``token`` is given."""
    client = Client(HTTP_HOST=study.domain_name, **kwargs)
    if token:
        client.cookies[COOKIE_NAME] = token
    return client
