"""Writes of the dashboard app: the retention policy and export jobs (each audited in its transaction)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import audit_event
from core.errors import ApplicationError
from dashboard.export_formats import ExportScope, default_scope
from dashboard.models import ExportJob, RetentionPolicy

RETENTION_FIELDS = ("erase_identifiers_after_days", "erase_raw_events_after_days", "note")


@transaction.atomic
def retention_policy_update(*, acting_user: Any, **changes: Any) -> RetentionPolicy:
    unknown = set(changes) - set(RETENTION_FIELDS)
    if unknown:
        raise ApplicationError("invalid", "Unknown settings.", details={k: ["Unknown setting."] for k in unknown})
    row = RetentionPolicy.objects.select_for_update().filter(singleton=True).first() or RetentionPolicy()
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    audit_event(
        action="retention.update", obj=row, actor=acting_user, details={k: v for k, v in changes.items() if k != "note"}
    )
    return row


@transaction.atomic
def export_job_create(*, acting_user: Any, export_format: str, scope: ExportScope | None = None) -> ExportJob:
    """Record the job with its scope (the format's default unless given) and queue its task once the
    row is committed (the worker must see it)."""
    from dashboard.exports import FORMATS
    from dashboard.tasks import export_job_run

    if export_format not in FORMATS:
        raise ApplicationError(
            "invalid", "Unknown export format.", details={"format": [f"One of {', '.join(FORMATS)}."]}, status_code=400
        )
    scope = scope or default_scope(export_format)
    job = ExportJob.objects.create(
        format=export_format,
        finished_only=scope.finished_only,
        include_pilots=scope.include_pilots,
        created_by_id=getattr(acting_user, "pk", None),
    )
    audit_event(
        action="export_job.create", obj=job, actor=acting_user, details={"format": export_format, **scope.as_versions()}
    )
    transaction.on_commit(lambda: export_job_run.delay(str(job.pk)))
    return job
