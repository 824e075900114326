"""Consent documents (immutable once published) and, later, participants' consent records."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


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


