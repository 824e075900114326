"""Study-schema tables of the dashboard: export jobs (the retention policy is rights.RetentionPolicy)."""

from __future__ import annotations

import uuid

from django.db import models

from dashboard.export_formats import ExportScope


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
    # Free-text answers asked for (each questionnaire must allow it too); jobs from before hold none.
    include_free_text = models.BooleanField(default=False, db_default=False)
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
        return ExportScope(
            finished_only=self.finished_only,
            include_pilots=self.include_pilots,
            include_free_text=self.include_free_text,
        )
