"""Large exports as a Celery task: the same streams as the download, written to a file with progress.

The file goes to MEDIA_ROOT/exports/<schema>/ and is only ever served through the permission-checked
download endpoint (never as a public media URL). The task runs in the schema of the study that
queued it (tenant-schemas-celery), so the schema name in the path is the study's own.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.study import current_study
from dashboard.models import ExportJob

logger = logging.getLogger(__name__)


def export_path(job: ExportJob) -> Path:
    from dashboard.exports import FORMATS

    return Path("exports") / connection.schema_name / f"{job.pk}-{FORMATS[job.format].file_suffix}"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=0)
def export_job_run(self: Any, job_id: str) -> dict[str, Any]:
    from dashboard.exports import PROGRESS_EVERY, count_rows, export_stream

    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return {"job": job_id, "status": job.status}  # a redelivered message: the file exists
    study = current_study()
    relative = export_path(job)
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    every = int(getattr(settings, "EXPORT_PROGRESS_EVERY", 0) or PROGRESS_EVERY)
    # Test-only (settings/test.py): a pause after each progress report, so a browser sees the bar move.
    pause = float(getattr(settings, "EXPORT_TEST_PROGRESS_DELAY_SECONDS", 0) or 0)
    # Running before counting: on a large study the count itself takes a while, and the page polling
    # this row should say the worker has the job; rows_total follows as soon as it is known.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, rows_written=0)
    total = 0

    def progress(n: int) -> None:
        # Autocommit: each report is visible to the polling page at once (no transaction around the task).
        ExportJob.objects.filter(pk=job.pk).update(rows_written=min(n, total))
        if pause:
            time.sleep(pause)

    try:
        total = count_rows(job.format, job.scope)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        chunks, versions = export_stream(
            job.format,
            study_slug=study.slug,
            study_title=study.title,
            scope=job.scope,
            on_rows=progress,
            progress_every=every,
        )
        partial = target.with_suffix(target.suffix + ".part")
        with partial.open("wb") as out:
            for chunk in chunks:
                out.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
        partial.replace(target)  # a reader never sees a half-written file under the final name
    except Exception as exc:
        logger.exception("export job failed", extra={"job": job_id})
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file_name=str(relative),
        size_bytes=target.stat().st_size,
        versions=versions,
        finished_at=timezone.now(),
        rows_written=total,
    )
    return {"job": job_id, "status": "done", "bytes": target.stat().st_size}
