"""Pseudonymous participants, their keys and bearer tokens (all in the study's schema).

Nothing here holds an identifier in clear: the external id (a survey-panel id) is kept only as
AES-GCM ciphertext under the participant's data key, plus a keyed blind index for look-up.
"""

from __future__ import annotations

from django.db import models

from pseudonymization.crypto import CRYPTO_VERSION


class StudyKey(models.Model):
    """The study's key, wrapped by a platform master key. One row per study schema."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    wrapped_key = models.BinaryField()
    # Fingerprint (not the key) of the master key that wrapped it: rotation and the start-up
    # check find keys still wrapped under an old master key by this.
    master_key_id = models.CharField(max_length=16)
    crypto_version = models.CharField(max_length=32, default=CRYPTO_VERSION)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"study key (master {self.master_key_id})"


class Participant(models.Model):
    """A pseudonymous participant of this study, known by a random code."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ERASED = "erased", "Erased"

    participant_code = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # HMAC-SHA256 under the study's blind-index key: equal ids meet here, other studies can't link.
    external_id_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    external_id_ciphertext = models.BinaryField(null=True, blank=True)
    crypto_version = models.CharField(max_length=32, default=CRYPTO_VERSION)
    # Enrolled again with an external id that had already taken part, without proof of being that
    # person: a new, separate participant (the first one untouched), linked for the researcher.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicate_enrolments"
    )
    # Joined while the study was piloting (the team trying it): left out of exports unless asked for,
    # and out of the dashboard's counts and charts; set once, at enrolment (docs/dashboard.md).
    pilot = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.participant_code

    @property
    def has_external_id(self) -> bool:
        # A duplicate enrolment holds its id encrypted but no blind index (the first one has it).
        return self.external_id_index is not None or self.external_id_ciphertext is not None


class ParticipantKey(models.Model):
    """A participant's data key, wrapped by the study's key. Deleting this row is crypto-shredding."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="data_key")
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"data key of participant {self.participant_id}"


class ParticipantToken(models.Model):
    """A bearer token of one participant, valid only in this study; only its SHA-256 is stored."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token of participant {self.participant_id}"
