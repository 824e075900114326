"""Celery tasks of the science pipeline: each calls one service (traits.services, traits.study_fits)
and leaves the rules to it; what is here is queueing, retries and redelivery.

A task runs in the schema of the study that queued it (tenant-schemas-celery's header, see
research_platform/celery.py). It is safe to run twice: every step finds its own earlier result
by (session, version) and input hash. `acks_late` + `reject_on_worker_lost` hand the message back
to the broker if a worker dies mid-way; transient database errors are retried with backoff.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from core.study import for_each_study
from traits.services import SessionNotReady, recompute_current, session_pipeline_run
from traits.study_fits import study_fit_due, study_fits_compute

logger = logging.getLogger(__name__)


@shared_task(
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
    """Process one completed session (traits.services.session_pipeline_run), then queue the study fit if due."""
    outcome = session_pipeline_run(session_id=session_id)
    if outcome.result is not None:
        _queue_study_fit_if_due()
    return outcome.as_dict()


def _queue_study_fit_if_due() -> None:
    """Queue the study-level fit when traits.study_fits.study_fit_due says the sample has grown enough.

    Cheap (two counts) so every processed session can ask. Two sessions finishing together may both
    queue it: the fit is stored once per sample, so the second finds the first's row.
    """
    try:
        if study_fit_due():
            fit_study_models.delay(trigger="growth")
    except Exception:  # the session is processed and committed: a failed study fit must not undo that
        logger.exception("traits: study-level fit not queued")


@shared_task(
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
    out = study_fits_compute(trigger=trigger, models=models)
    logger.info("traits: study fit", extra={"trigger": trigger, "result": out})
    return out


@shared_task(name="traits.tasks.process_pending", acks_late=True)
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


@shared_task(name="traits.tasks.recompute_study", acks_late=True)
def recompute_study() -> dict[str, Any]:
    """Recompute every finished session of the study that queued it at the current versions (old rows kept).

    Queued by `manage.py recompute_traits --queue` inside the study's schema; safe to run twice.
    """
    counts = recompute_current()
    logger.info("traits: study recomputed", extra=counts)
    return counts
