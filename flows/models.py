"""Flow versions, each participant's place in one, and the steps they completed (all in the study's schema).

A published version is never edited: the builder edits the one draft, and publishing it makes
the next version live. A participant keeps the version they joined (``ParticipantFlow.version``)
to the end, whatever is published after, and every step they complete names it.
"""

from __future__ import annotations

from django.db import models

from pseudonymization.models import Participant


class FlowVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    number = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    definition = models.JSONField()  # flows.definition.clean_definition's output
    definition_version = models.CharField(max_length=32)
    # The seed of the blocked randomisation and how far each sequence has gone (flows.assignment).
    assignment_seed = models.CharField(max_length=64)
    assigned_count = models.PositiveIntegerField(default=0)
    pilot_assigned_count = models.PositiveIntegerField(default=0)
    created_by_id = models.BigIntegerField(null=True, blank=True)  # global users live in public
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by_id = models.BigIntegerField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="draft"), name="flows_version_one_draft"
            ),
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="published"), name="flows_version_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"flow version {self.number} ({self.status})"

    @property
    def condition_keys(self) -> list[str]:
        return [c["key"] for c in self.definition.get("conditions", [])]


class ParticipantFlow(models.Model):
    """The version a participant joined, their condition and how it was drawn."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="flow")
    version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="participants")
    condition = models.CharField(max_length=40, blank=True, default="")  # "" when the flow has none
    assignment = models.JSONField(default=dict, blank=True)  # flows.assignment.Assignment.as_dict()
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["version", "condition"], name="flows_pf_version_condition")]

    def __str__(self) -> str:
        return f"{self.participant_id} on flow version {self.version_id}"


class StepCompletion(models.Model):
    """One step of one session finished by a participant (written once; a retry finds it there)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="step_completions")
    version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="completions")
    session_number = models.PositiveSmallIntegerField()
    step_key = models.CharField(max_length=40)
    kind = models.CharField(max_length=40)
    # What the step produced, named by its app (a game session's id, a questionnaire response's id).
    ref = models.CharField(max_length=64, blank=True, default="")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant", "session_number", "completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "session_number", "step_key"], name="flows_completion_once")
        ]

    def __str__(self) -> str:
        return f"{self.step_key} of session {self.session_number}"
