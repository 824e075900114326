"""Celery task of the science pipeline: one completed session → metrics → fits → profile.

The task runs in the schema of the study that queued it (tenant-schemas-celery's header, see
research_platform/celery.py). It is safe to run twice: every step finds its own earlier result
by (session, version) and input hash. `acks_late` + `reject_on_worker_lost` hand the message back
to the broker if a worker dies mid-way; transient database errors are retried with backoff.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from core.study import for_each_study
from research_platform.celery import app
from traits.services import SessionInput, session_process

logger = logging.getLogger(__name__)


class SessionNotReady(Exception):
    """The session is not (yet) visible or not completed: retried, since commit and queue can race."""


def _load(session_id: str) -> tuple[Any, SessionInput]:
    from games.models import GameSession
    from games.selectors import session_events

    try:
        session = GameSession.objects.select_related("participant").get(pk=session_id)
    except GameSession.DoesNotExist as exc:
        raise SessionNotReady(f"session {session_id} not found") from exc
    data = SessionInput(
        session_id=session.pk,
        participant=session.participant,
        schedule=list(session.schedule or []),
        events=session_events(session=session),
        config=dict(session.config or {}),
        event_schema=session.event_schema,
    )
    return session, data


@app.task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError, SessionNotReady),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
)
def process_session(self: Any, session_id: str) -> dict[str, Any]:
    """Run the pipeline for one session and mark it processed (or flagged) in the games app."""
    from games.services import session_mark_processed

    session, data = _load(session_id)
    if session.status == "abandoned":
        return {"session": session_id, "skipped": "abandoned"}
    if session.status not in ("completed", "processed", "flagged"):
        raise SessionNotReady(f"session {session_id} is {session.status}")
    with transaction.atomic():
        # Withdrawal and erasure stop processing at once (issue 8). The row lock orders this task
        # with the erasure, which locks the same row: either these results exist before the
        # erasure collects what to erase, or the task sees the participant withdrawn/erased.
        from pseudonymization.models import Participant

        status = Participant.objects.select_for_update().values_list("status", flat=True).get(pk=session.participant_id)
        if status != Participant.Status.ACTIVE:
            return {"session": session_id, "skipped": status}
        result = session_process(data=data, quality_flags=dict(session.quality_flags or {}))
        session_mark_processed(session=session, flagged=bool(result.flag_reasons), reasons=result.flag_reasons)
        _test_delay(session_id)
    logger.info("traits: session processed", extra={"session": session_id, "status": result.profile.status})
    _queue_study_fit_if_due()
    return {
        "session": session_id,
        "profile": result.profile.pk,
        "status": result.profile.status,
        "flagged": result.flag_reasons,
    }


def _queue_study_fit_if_due() -> None:
    """Queue the study-level fit when the sample has grown by TRAITS_HIERARCHICAL_EVERY participants.

    Cheap (two counts) so every processed session can ask. Two sessions finishing together may both
    queue it: the fit is stored once per sample, so the second finds the first's row.
    """
    from traits.study_fits import study_fit_due

    try:
        if study_fit_due():
            fit_study_models.delay(trigger="growth")
    except Exception:  # the session is processed and committed: a failed study fit must not undo that
        logger.exception("traits: study-level fit not queued")


@app.task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=3,
)
def fit_study_models(self: Any, trigger: str = "growth", models: list[str] | None = None) -> dict[str, Any]:
    """Fit the study-level model(s) on the study's current sample, in the study's schema (docs/models.md)."""
    from core.errors import ApplicationError
    from traits.bart_models import MODELS
    from traits.study_fits import study_fit_compute

    out: dict[str, Any] = {}
    for name in models or list(MODELS):
        try:
            fit = study_fit_compute(model=name, trigger=trigger)
        except ApplicationError as exc:  # too few participants: nothing to fit yet, not a failure
            out[name] = {"skipped": exc.code}
            continue
        out[name] = {"study_fit": fit.pk, "n_participants": fit.n_participants, "converged": fit.converged}
    logger.info("traits: study fit", extra={"trigger": trigger, "result": out})
    return out


def _test_delay(session_id: str) -> None:
    """Fault tests only (0 elsewhere): hold the results uncommitted so the worker can be killed mid-task."""
    delay = float(getattr(settings, "TRAITS_TEST_PROCESS_DELAY_SECONDS", 0) or 0)
    if delay > 0:
        logger.warning("traits: holding session %s uncommitted for %.1f s (test delay)", session_id, delay)
        time.sleep(delay)


@app.task(name="traits.tasks.process_pending", acks_late=True)
def process_pending() -> int:
    """Beat: queue every session left `completed` without processing (its queueing failed), in every study.

    Runs in public and walks the studies (beat has no study); each queued task carries its study's
    schema. Queuing a session twice is harmless (process_session is idempotent), so a sweep that
    races with the normal path costs a little work, never a duplicate result.
    """
    from traits.selectors import sessions_pending_processing

    grace = int(getattr(settings, "TRAITS_PENDING_GRACE_SECONDS", 300))
    queued = 0
    for _study in for_each_study():
        for session_id in sessions_pending_processing(older_than_seconds=grace):
            process_session.delay(str(session_id))
            queued += 1
    if queued:
        logger.info("traits: %d pending sessions queued", queued)
    return queued


@app.task(name="traits.tasks.recompute_study", acks_late=True)
def recompute_study() -> dict[str, Any]:
    """Recompute every finished session of the study that queued it at the current versions (old rows kept).

    Queued by `manage.py recompute_traits --queue` inside the study's schema; safe to run twice.
    """
    from traits.services import recompute_current

    counts = recompute_current()
    logger.info("traits: study recomputed", extra=counts)
    return counts
