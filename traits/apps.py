import logging
from typing import Any

from django.apps import AppConfig


def queue_session_processing(sender: Any, session: Any, **kwargs: Any) -> None:
    """games sends `session_completed` after its transaction committed: queue the pipeline for it.

    The tenant-aware Celery app records the current schema (the study's) in the task headers, so
    the worker processes the session in that study and nowhere else.
    If the broker (Redis) is down, the session stays `completed`: the participant's completion must
    not fail for it, and `traits.tasks.process_pending` (beat) queues it once the broker is back.
    """
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    from traits.tasks import process_session

    try:
        process_session.delay(str(session.pk))
    except (OperationalError, RedisError, OSError):  # the broker is unreachable: not queued (eager errors still raise)
        logging.getLogger(__name__).warning(
            "traits: session %s not queued (broker unavailable); the pending sweep will queue it", session.pk
        )


class TraitsConfig(AppConfig):
    name = "traits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from games.signals import session_completed

        session_completed.connect(queue_session_processing, dispatch_uid="traits.queue_session_processing")
