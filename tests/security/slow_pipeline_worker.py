"""Worker bootstrap for the killed-worker fault test: `celery worker -I tests.security.slow_pipeline_worker`.

Only the worker that is to be killed loads it. It wraps the pipeline service the task calls
(``traits.tasks.session_pipeline_run``) so the session's results are held uncommitted for
HOLD_SECONDS: an outer transaction turns the service's own into a savepoint, so nothing commits
until the sleep is over, and a SIGKILL meanwhile leaves PostgreSQL to roll everything back.
A monkeypatch in the test process could not do this: the task runs in the worker's process.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction

import traits.tasks
from traits.services import SessionOutcome

HOLD_SECONDS = 60.0

logger = logging.getLogger(__name__)
_pipeline_run = traits.tasks.session_pipeline_run


def _held_uncommitted(*, session_id: str) -> SessionOutcome:
    with transaction.atomic():
        outcome = _pipeline_run(session_id=session_id)
        # tests/security/test_fault_worker.py waits for this line before it kills the worker.
        logger.warning("traits: holding session %s uncommitted for %.1f s (test delay)", session_id, HOLD_SECONDS)
        time.sleep(HOLD_SECONDS)
    return outcome


traits.tasks.session_pipeline_run = _held_uncommitted
