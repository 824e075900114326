"""Consent documents (immutable once published), participants' consent records, and the study's consent settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from core.settings_model import StudySettings


class ConsentDocument(models.Model):
    """One version of a study's consent text. Editing a published version means a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    version = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    language = models.CharField(max_length=16, default="en")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    sha256 = models.CharField(max_length=64, blank=True)
    # Global users live in public; a plain id avoids a cross-schema foreign key.
    created_by_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one current version: what participants agree to is never ambiguous.
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="published"), name="one_published_consent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.status})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk and self.status != self.Status.DRAFT:
            stored = type(self).objects.filter(pk=self.pk).values("title", "body", "language", "version").first()
            if stored and any(stored[f] != getattr(self, f) for f in ("title", "body", "language", "version")):
                raise ValidationError("A published consent document is immutable; create a new version.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ConsentRecord(models.Model):
    """One participant's agreement to one exact document version (and its hash), and its withdrawal."""

    class Method(models.TextChoices):
        WEB = "web", "Web form"
        API = "api", "API"

    participant = models.ForeignKey(
        "pseudonymization.Participant", on_delete=models.CASCADE, related_name="consent_records"
    )
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="records")
    # The hash agreed to, copied: the proof does not depend on the document row staying untouched.
    sha256 = models.CharField(max_length=64)
    method = models.CharField(max_length=8, choices=Method.choices)
    agreed_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-agreed_at", "-id"]
        constraints = [
            # A retry or a second click never records the same agreement twice.
            models.UniqueConstraint(
                fields=["participant", "document"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_live_record_per_document",
            )
        ]

    def __str__(self) -> str:
        return f"consent of participant {self.participant_id} to document {self.document_id}"


DEFAULT_EXTERNAL_ID_PARAMS = ["PROLIFIC_PID", "workerId", "participant"]


def default_external_id_params() -> list[str]:
    return list(DEFAULT_EXTERNAL_ID_PARAMS)


class ConsentSettings(StudySettings):
    """Per-study consent behaviour (one row; absent means the defaults)."""

    EDITABLE = ("external_id_params", "require_reconsent", "token_lifetime_hours", "completion_url")

    # Query parameters of a survey-panel link that carry the participant's panel id, first match wins.
    external_id_params = models.JSONField(default=default_external_id_params)
    # When a new version is published, earlier agreements stop counting until the person agrees again.
    require_reconsent = models.BooleanField(default=False)
    token_lifetime_hours = models.PositiveIntegerField(default=24)
    # Where a participant goes after the game, e.g. a Prolific completion URL with the study's code;
    # "{participant_code}" in it is replaced by the participant's code. Blank: no redirect.
    completion_url = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return "consent settings"
