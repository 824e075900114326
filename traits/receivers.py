"""The games app's completion signal, answered: queue the science pipeline for the completed session."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from games.signals import session_completed
from traits.tasks import process_session

logger = logging.getLogger(__name__)


@receiver(session_completed, dispatch_uid="traits.queue_session_processing")
def queue_session_processing(sender: Any, session: Any, **kwargs: Any) -> None:
    """games sends `session_completed` after its transaction committed: queue the pipeline for it.

    The tenant-aware Celery app records the current schema (the study's) in the task headers, so
    the worker processes the session in that study and nowhere else.
    If the broker (Redis) is down, the session stays `completed`: the participant's completion must
    not fail for it, and `traits.tasks.process_pending` (beat) queues it once the broker is back.
    """
    try:
        process_session.delay(str(session.pk))
    except (OperationalError, RedisError, OSError):  # the broker is unreachable: not queued (eager errors still raise)
        logger.warning(
            "traits: session %s not queued (broker unavailable); the pending sweep will queue it", session.pk
        )
