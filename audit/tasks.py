"""Periodic work of the audit app (Celery beat: settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="audit.tasks.checkpoint_all")
def checkpoint_all() -> int:
    from audit.checkpoints import checkpoint_all_schemas

    return checkpoint_all_schemas()
