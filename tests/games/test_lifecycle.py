"""Session lifecycle outside the API: abandonment, processing marks, the demo seed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from games.models import GameSession
from games.services import session_mark_processed, sessions_abandon_stale
from games.tasks import abandon_stale_sessions


def test_sessions_without_events_for_too_long_are_abandoned_and_then_refuse_events(alpha, started, settings):
    settings.GAME_ABANDON_AFTER_MINUTES = 30
    gamer, session = started
    with tenant_context(alpha):
        assert sessions_abandon_stale() == 0
        GameSession.objects.filter(pk=session["session_id"]).update(started_at=timezone.now() - timedelta(hours=1))
    assert abandon_stale_sessions() == 1
    response = gamer.send(session["session_id"], [])
    assert response.status_code == 409 and response.json()["error"]["details"] == {"status": "abandoned"}


def test_traits_marks_a_session_processed_or_flagged_with_reasons(alpha, started):
    _, session = started
    with tenant_context(alpha):
        row = GameSession.objects.get(pk=session["session_id"])
        assert session_mark_processed(session=row, flagged=False).status == "processed"
        flagged = session_mark_processed(session=row, flagged=True, reasons=["too_few_balloons"])
    assert flagged.status == "flagged" and flagged.quality_flags["processing"] == ["too_few_balloons"]


def test_the_demo_seed_adds_completed_simulated_sessions_once(alpha):
    from games.seed import DEMO_PLAYERS, seed_study_demo
    from tests.consent.support import publish

    publish(alpha)
    assert seed_study_demo(study=alpha, users={})
    assert seed_study_demo(study=alpha, users={}) == []
    with tenant_context(alpha):
        sessions = list(GameSession.objects.all())
    assert len(sessions) == len(DEMO_PLAYERS)
    assert all(s.status == "completed" and s.event_count > 100 for s in sessions)
