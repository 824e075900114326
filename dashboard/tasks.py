"""Large exports as a Celery task: the same streams as the download, written to a file with progress.

The file goes to MEDIA_ROOT/exports/<schema>/ and is only ever served through the permission-checked
download endpoint (never as a public media URL). The task runs in the schema of the study that
queued it (tenant-schemas-celery), so the schema name in the path is the study's own.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dashboard.models import ExportJob
from research_platform.celery import app

logger = logging.getLogger(__name__)


def export_path(job: ExportJob) -> Path:
    from dashboard.exports import FORMATS

    return Path("exports") / connection.schema_name / f"{job.pk}-{FORMATS[job.format].file_suffix}"


@app.task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=0)
def export_job_run(self: Any, job_id: str) -> dict[str, Any]:
    from dashboard.exports import count_rows, export_stream

    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return {"job": job_id, "status": job.status}  # a redelivered message: the file exists
    study = connection.tenant
    relative = export_path(job)
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    total = count_rows(job.format)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, rows_total=total, rows_written=0)

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_written=n)

    try:
        chunks, versions = export_stream(job.format, study_slug=study.slug, study_title=study.title, on_rows=progress)
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
