"""Study-schema tables of the dashboard: the retention policy managers set, and export jobs.

RetentionPolicy holds the *settings* only; the rights app (participant rights, issue 8) owns the
periodic task that enforces them and reads them through ``dashboard.selectors.retention_policy_get``.
"""

from __future__ import annotations

import uuid

from django.db import models

from dashboard.export_formats import ExportScope


class RetentionPolicy(models.Model):
    """How long this study keeps identifiers and raw events (one row; absent means keep until closed)."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    # Days after a participant's last completed session; None = no automatic erasure.
    erase_identifiers_after_days = models.PositiveIntegerField(null=True, blank=True)
    erase_raw_events_after_days = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="What the ethics approval says, for the record")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "retention policy"


class ExportJob(models.Model):
    """A large export written to a file by a Celery task, downloaded later by the same study's analysts."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField(max_length=16)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # The user row lives in public; an id (not a FK) keeps the study schema self-contained.
    created_by_id = models.IntegerField(null=True)
    rows_total = models.PositiveBigIntegerField(default=0)
    rows_written = models.PositiveBigIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT
    size_bytes = models.PositiveBigIntegerField(default=0)
    # The export's scope (dashboard.export_formats.ExportScope), chosen when the job was started; no
    # default here: the service always writes what was asked for (jobs from before #20 hold all, pilots included).
    finished_only = models.BooleanField()
    include_pilots = models.BooleanField()
    versions = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.format} {self.pk}"

    @property
    def progress(self) -> float:
        if self.status == self.Status.DONE:
            return 1.0
        return min(1.0, self.rows_written / self.rows_total) if self.rows_total else 0.0

    @property
    def scope(self) -> ExportScope:
        return ExportScope(finished_only=self.finished_only, include_pilots=self.include_pilots)
