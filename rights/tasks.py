"""Celery tasks of participant rights: executing a deletion request, and the retention sweep.

Both run in the study's schema (tenant-schemas-celery carries it). Execution is resumable and
idempotent (rights.services.deletion_request_execute), so ``acks_late`` redelivery after a dead
worker, or a retry after a database error, simply continues where it stopped.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import DatabaseError

from core.study import for_each_study
from rights.models import DeletionRequest
from rights.retention import retention_apply
from rights.services import deletion_request_execute

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def execute_deletion_request(self: Any, request_id: str) -> dict[str, Any]:
    request = DeletionRequest.objects.filter(pk=request_id).first()
    if request is None:
        logger.warning("deletion request %s not found in this schema", request_id)
        return {"request_id": request_id, "status": "missing"}
    request = deletion_request_execute(request=request)
    return {"request_id": request_id, "status": request.status, "counts": request.counts}


@shared_task(acks_late=True)
def retention_apply_study() -> dict[str, int]:
    """Apply the current study's retention policy (queued per study by ``retention_sweep``)."""
    return retention_apply()


@shared_task
def retention_sweep() -> list[str]:
    """Beat entry point (runs in public): queue ``retention_apply_study`` in each study's schema."""
    queued = []
    for study in for_each_study():
        retention_apply_study.delay()
        queued.append(study.slug)
    return queued
