"""The pipeline task on real sessions (Celery eager): completion → profile, idempotent, flagged when due."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.db import connection

from games.models import GameSession
from games.simulate import TargetPolicy, batches, simulate_session
from tests.games.support import enrol_gamer
from traits.models import ModelFit, SessionMetrics, TraitProfile
from traits.services import SessionNotReady, session_input_load
from traits.tasks import process_session


def play(study, *, target=30.0, tamper=None):
    """A participant plays a whole session through the real API; returns (gamer, session_id)."""
    gamer = enrol_gamer(study)
    started = gamer.start()
    events = simulate_session(started["balloons"], TargetPolicy(target=target), seed=started["session_id"]).events
    if tamper:
        events = tamper(events)
    for batch in batches(events, 200):
        sent = gamer.send(started["session_id"], batch)
        assert sent.status_code == 200 and sent.json()["accepted"] == len(batch), sent.content
    return gamer, started["session_id"]


def complete(gamer, session_id, capture):
    with capture(execute=True):
        response = gamer.post(f"/api/v1/game/sessions/{session_id}/complete/")
    assert response.status_code == 202, response.content


def test_completing_a_session_produces_a_profile_and_marks_it_processed(alpha, django_capture_on_commit_callbacks):
    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    session = GameSession.objects.get(pk=session_id)
    assert session.status == "processed"
    profile = TraitProfile.objects.get(session_id=session_id)
    assert profile.participant.participant_code == gamer.code
    assert SessionMetrics.objects.get(session_id=session_id).values["overall"]["n_balloons"] == 30
    assert ModelFit.objects.filter(session_id=session_id).count() == 2
    connection.set_schema_to_public()
    mine = gamer.get("/api/v1/me/profile/")
    assert mine.status_code == 200 and mine.json()["session_id"] == session_id


def test_running_the_task_again_changes_nothing(alpha, django_capture_on_commit_callbacks):
    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    first = TraitProfile.objects.get(session_id=session_id)
    result = process_session.apply(args=[session_id]).get()
    assert result["profile"] == first.pk
    assert TraitProfile.objects.filter(session_id=session_id).count() == 1
    assert TraitProfile.objects.get(pk=first.pk).created_at == first.created_at


def test_a_session_with_schedule_violations_is_flagged_with_its_reasons(alpha, django_capture_on_commit_callbacks):
    def extra_pump_after_collect(events):
        collected = next(e for e in events if e["type"] == "cash_out")
        bogus = {
            **collected,
            "event_id": "0f0f0f0f-0000-4000-8000-000000000001",
            "seq": len(events),
            "type": "pump",
            "data": {"pump": collected["data"]["pumps"] + 1},
        }
        return [*events, bogus]

    gamer, session_id = play(alpha, tamper=extra_pump_after_collect)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    session = GameSession.objects.get(pk=session_id)
    assert session.status == "flagged"
    assert "schedule_violations" in session.quality_flags["processing"]
    assert TraitProfile.objects.filter(session_id=session_id).exists()  # flagged, yet still scored


def test_a_session_is_invisible_from_another_study(alpha, beta):
    _, session_id = play(alpha)
    connection.set_tenant(beta)
    with pytest.raises(SessionNotReady):
        session_input_load(session_id=session_id)
    assert TraitProfile.objects.count() == 0


def test_an_unfinished_session_is_not_processed(alpha):
    _, session_id = play(alpha)
    connection.set_tenant(alpha)
    with pytest.raises(Retry) as info:  # retried later with backoff: completion may still be on its way
        process_session.apply(args=[session_id], throw=True)
    assert isinstance(info.value.exc, SessionNotReady)
    assert not TraitProfile.objects.filter(session_id=session_id).exists()


def test_the_pipeline_service_processes_a_completed_session_without_celery(alpha, django_capture_on_commit_callbacks):
    from traits.services import session_pipeline_run

    gamer, session_id = play(alpha)
    with django_capture_on_commit_callbacks(execute=False):  # completed, its task never run
        assert gamer.post(f"/api/v1/game/sessions/{session_id}/complete/").status_code == 202
    connection.set_tenant(alpha)
    assert GameSession.objects.get(pk=session_id).status == "completed"
    outcome = session_pipeline_run(session_id=session_id)
    assert outcome.skipped is None and outcome.result is not None
    assert GameSession.objects.get(pk=session_id).status == "processed"
    assert outcome.as_dict() == {
        "session": session_id,
        "profile": TraitProfile.objects.get(session_id=session_id).pk,
        "status": outcome.result.profile.status,
        "flagged": [],
    }


def test_an_abandoned_session_is_skipped_not_retried(alpha):
    _, session_id = play(alpha)
    connection.set_tenant(alpha)
    GameSession.objects.filter(pk=session_id).update(status="abandoned")
    assert process_session.apply(args=[session_id]).get() == {"session": session_id, "skipped": "abandoned"}
    assert not SessionMetrics.objects.filter(session_id=session_id).exists()


def test_the_task_only_calls_the_pipeline_service(monkeypatch):
    from traits import tasks
    from traits.services import SessionOutcome

    calls = []

    def pipeline_run(*, session_id):
        calls.append(session_id)
        return SessionOutcome(session_id, skipped="withdrawn")

    monkeypatch.setattr(tasks, "session_pipeline_run", pipeline_run)
    assert process_session.apply(args=["s-1"]).get() == {"session": "s-1", "skipped": "withdrawn"}
    assert calls == ["s-1"]


def test_the_services_never_import_the_tasks():
    import ast
    from pathlib import Path

    import traits

    root = Path(traits.__file__).parent
    for name in ("services.py", "study_fits.py"):
        tree = ast.parse((root / name).read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert "traits.tasks" not in imported, name  # the task calls the service, never the reverse
