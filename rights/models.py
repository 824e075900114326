"""Participant rights in the study's schema: the study's rights settings and retention policy, deletion
requests (which become content-free tombstones once executed) and the hashed verifier of a participant's
access secret.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from core.settings_model import StudySettings

DEFAULT_DUE_DAYS = 30  # GDPR art. 12(3): one month to act on a request


class RightsSettings(StudySettings):
    """How this study handles rights requests (one row; absent means the defaults)."""

    class WithdrawalData(models.TextChoices):
        KEEP = "keep", "Keep data collected before withdrawal"
        ERASE = "erase", "Erase all data on withdrawal"

    EDITABLE = ("due_days", "auto_execute", "withdrawal_data")

    due_days = models.PositiveIntegerField(default=DEFAULT_DUE_DAYS)
    # A participant's own request (authenticated by their token or secret) is verified and executed
    # without waiting for a manager.
    auto_execute = models.BooleanField(default=False)
    withdrawal_data = models.CharField(max_length=8, choices=WithdrawalData.choices, default=WithdrawalData.KEEP)

    def __str__(self) -> str:
        return "rights settings"


class RetentionPolicy(StudySettings):
    """How long this study keeps identifiers and raw events (one row; absent means keep until closed).

    rights/retention.py enforces it. It was the dashboard's until #19; the table kept its name (and rows).
    """

    EDITABLE = ("erase_identifiers_after_days", "erase_raw_events_after_days", "note")

    # Days after a participant's last completed session; None = no automatic erasure.
    erase_identifiers_after_days = models.PositiveIntegerField(null=True, blank=True)
    erase_raw_events_after_days = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="What the ethics approval says, for the record")

    class Meta:
        db_table = "dashboard_retentionpolicy"

    def __str__(self) -> str:
        return "retention policy"


class DeletionRequest(models.Model):
    """One request to erase a participant's data; after execution, the tombstone that proves it happened.

    It never holds the participant's code, identifiers or data: only the row id of the (erased)
    participant, timestamps, who asked (participant, or a manager's user id), counts of what was
    erased and the certificate (itself free of personal data).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        VERIFIED = "verified", "Verified"
        EXECUTED = "executed", "Executed"
        REJECTED = "rejected", "Rejected"

    class Source(models.TextChoices):
        PARTICIPANT = "participant", "The participant"
        MANAGER = "manager", "A study manager on the participant's behalf"
        WITHDRAWAL = "withdrawal", "Withdrawal under an erase-on-withdrawal protocol"

    OPEN_STATUSES = ("received", "verified")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "pseudonymization.Participant", null=True, on_delete=models.SET_NULL, related_name="deletion_requests"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    source = models.CharField(max_length=16, choices=Source.choices)
    # Global users live in public; plain ids keep the study schema self-contained.
    requested_by_user_id = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by_user_id = models.BigIntegerField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by_user_id = models.BigIntegerField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # Resumable execution: the steps done so far and what each erased (the tombstone's counts).
    execution_started_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    certificate = models.JSONField(null=True, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["due_at", "received_at"]
        constraints = [
            # Idempotent requests: at most one open request per participant.
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(status__in=["received", "verified"]),
                name="rights_one_open_request_per_participant",
            )
        ]

    def __str__(self) -> str:
        return f"deletion request {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


class AccessSecret(models.Model):
    """The verifier of the secret a participant uses on /my-data/ with their code (the secret is shown once)."""

    participant = models.OneToOneField(
        "pseudonymization.Participant", on_delete=models.CASCADE, related_name="access_secret"
    )
    # PBKDF2 (Django's password hasher): a stolen table does not give the secrets back.
    verifier = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"access secret of participant {self.participant_id}"
