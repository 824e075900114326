"""Sessions whose processing could not be queued (broker down) are found and queued by the beat sweep."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from games.models import GameSession
from tests.traits.test_tasks import play
from traits.models import TraitProfile
from traits.receivers import queue_session_processing
from traits.selectors import sessions_pending_processing
from traits.tasks import process_pending, process_session


def test_a_completion_without_broker_is_not_an_error_and_the_sweep_processes_it(
    alpha, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    gamer, session_id = play(alpha)
    with monkeypatch.context() as patched:
        patched.setattr(process_session, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            response = gamer.post(f"/api/v1/game/sessions/{session_id}/complete/")
    assert response.status_code == 202  # the participant's completion does not depend on the broker
    assert "pending sweep will queue it" in caplog.text
    connection.set_tenant(alpha)
    assert GameSession.objects.get(pk=session_id).status == "completed"
    assert sessions_pending_processing(older_than_seconds=300) == []  # within the grace: left alone
    GameSession.objects.filter(pk=session_id).update(completed_at=timezone.now() - timedelta(minutes=10))
    assert [str(s) for s in sessions_pending_processing(older_than_seconds=300)] == [session_id]
    connection.set_schema_to_public()

    assert process_pending.apply().get() >= 1  # eager: queued and processed in alpha's schema
    connection.set_tenant(alpha)
    assert GameSession.objects.get(pk=session_id).status in ("processed", "flagged")
    assert TraitProfile.objects.filter(session_id=session_id).count() == 1
    assert sessions_pending_processing(older_than_seconds=0) == []
    connection.set_schema_to_public()
    assert process_pending.apply().get() == 0  # nothing left: a second sweep queues nothing


def test_other_errors_of_an_eager_task_still_raise(alpha):
    class Session:
        pk = "not-a-session"

    # Only broker errors are swallowed; in eager mode a failing pipeline must stay visible.
    try:
        queue_session_processing(None, session=Session())
    except Exception as exc:
        assert not isinstance(exc, OperationalError)
    else:  # pragma: no cover
        raise AssertionError("the eager task's error was swallowed")


def test_the_sweep_is_in_the_beat_schedule_next_to_the_others():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"traits.tasks.process_pending", "games.abandon_stale_sessions", "rights.tasks.retention_sweep"} <= tasks
