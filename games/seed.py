"""Demo data for `make run`: a few simulated participants who completed the game in the demo study.

They go through the real services (consent, session start, batch ingestion, completion), so the
dashboard and the traits pipeline have something to show. Running it again adds nothing.
"""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from games.models import GameSession
from games.services import session_complete, session_ingest_events, session_start
from games.simulate import Par4Policy, batches, simulate_session

DEMO_PLAYERS = (  # (phi, eta, gamma, tau): cautious to risk-seeking agents of bart_par4
    (0.90, 0.05, 0.4, 1.0),
    (0.92, 0.10, 0.8, 1.5),
    (0.95, 0.02, 1.4, 0.8),
    (0.97, 0.05, 2.0, 2.0),
)


def seed_study_demo(*, study: Any, users: dict[str, Any]) -> list[str]:
    from consent.models import ConsentRecord
    from consent.selectors import consent_document_current
    from consent.services import consent_give

    with tenant_context(study):
        if GameSession.objects.exists():
            return []
        document = consent_document_current()
        if document is None:
            return ["No consent document in the demo study: no simulated sessions added."]
        for number, (phi, eta, gamma, tau) in enumerate(DEMO_PLAYERS):
            given = consent_give(version=document.version, sha256=document.sha256, method=ConsentRecord.Method.API)
            session, _ = session_start(participant=given.participant)
            sim = simulate_session(
                session.schedule,
                Par4Policy(phi=phi, eta=eta, gamma=gamma, tau=tau),
                seed=f"demo-{number}",
                reward_per_pump=float(session.config["reward_per_pump"]),
            )
            for batch in batches(sim.events, 50):
                session_ingest_events(session=session, events=batch, sent_at=None)
            session_complete(session=session)
    return [f"Added {len(DEMO_PLAYERS)} simulated completed game sessions to the demo study."]
