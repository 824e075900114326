"""Simulated participants through the real services (consent, game ingestion, traits pipeline)."""

from __future__ import annotations

from typing import Any

SENT_AT = 1_732_521_700_000


def simulated_participants(
    n: int, *, seed: str = "dash", balloons: int | None = None, process: bool = True, leave_open: int = 0
) -> list[Any]:
    """``n`` participants who each play one session (in the current study schema); returns the sessions.

    The last ``leave_open`` sessions stay in progress (half played); the others are completed and,
    with ``process``, run through the traits pipeline exactly as the Celery task does.
    """
    from games.services import session_complete, session_ingest_events, session_start
    from games.simulate import TargetPolicy, batches, simulate_session
    from pseudonymization.services import participant_enrol

    sessions = []
    for i in range(n):
        participant = participant_enrol()
        session, _ = session_start(participant=participant, seed=f"{seed}-{i}")
        open_one = i >= n - leave_open
        played = (len(session.schedule) // 2) if open_one else balloons
        sim = simulate_session(
            session.schedule, TargetPolicy(target=16 + 4 * (i % 6), jitter=5.0), seed=f"{seed}-{i}", balloons=played
        )
        events = sim.events[:-1] if open_one else sim.events  # an open session has no session_end yet
        for batch in batches(events, 200):
            session_ingest_events(session=session, events=batch, sent_at=SENT_AT)
        if not open_one:
            session = session_complete(session=session)
            if process:
                _process(session)
        session.refresh_from_db()
        sessions.append(session)
    return sessions


def _process(session: Any) -> None:
    """Run the traits pipeline as its Celery task would (eagerly, in this schema)."""
    from traits.tasks import process_session

    process_session.apply(args=[str(session.pk)])
