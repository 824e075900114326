"""Questionnaires of a study, participants' responses and every item event (all in the study's schema).

A ``Questionnaire`` row is one immutable version of a questionnaire (a shipped scale copied into
the study, or one a researcher wrote); editing makes the next version, and a flow step names the
version it shows, so a response always points at the exact items and scoring key it answered.
"""

from __future__ import annotations

import uuid

from django.db import models

from pseudonymization.models import Participant


class Questionnaire(models.Model):
    key = models.SlugField(max_length=40)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    definition = models.JSONField()  # questionnaires.definition.validate_definition's output
    definition_schema = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)  # of the canonical definition: what was shown, exactly
    source = models.CharField(max_length=80, default="custom")  # "library:<scale key>" or "custom"
    created_by_id = models.BigIntegerField(null=True, blank=True)  # global users live in public
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="questionnaires_key_version")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class QuestionnaireResponse(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="questionnaire_responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    # Where in the flow it was answered (flows): version number, study session, step key, condition.
    flow_version = models.PositiveIntegerField()
    flow_session = models.PositiveSmallIntegerField()
    flow_step = models.CharField(max_length=40)
    condition = models.CharField(max_length=40, blank=True, default="")
    event_schema = models.CharField(max_length=32)
    # The answers as submitted (the last answer event of each item) and their scores.
    answers = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    scoring_version = models.CharField(max_length=16, blank=True, default="")
    event_count = models.PositiveIntegerField(default=0)
    max_seq = models.IntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "flow_session", "flow_step"], name="questionnaires_response_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class QuestionnaireEvent(models.Model):
    """One event of `questionnaire-events/1` as received (docs/questionnaires.md)."""

    id = models.BigAutoField(primary_key=True)
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="events")
    event_id = models.UUIDField(unique=True)  # the client's idempotency key: dedup at write time
    seq = models.IntegerField()
    type = models.CharField(max_length=24)
    t = models.FloatField()  # ms since the questionnaire was shown, client monotonic clock
    client_ts = models.BigIntegerField()
    received_at = models.DateTimeField()
    item = models.CharField(max_length=40, blank=True, default="")
    value = models.JSONField(null=True, blank=True)
    rt_ms = models.FloatField(null=True, blank=True)  # since the item was shown or last answered
    raw = models.JSONField()

    class Meta:
        ordering = ["response", "seq", "id"]
        indexes = [models.Index(fields=["response", "seq"], name="questionnaires_event_seq")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq}"
