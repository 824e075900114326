"""Results of the science pipeline for one game session, each row tagged with every version it depends on.

Rows are keyed by (session, version): a rerun of the same version finds its row and changes
nothing, while a version bump adds new rows beside the old ones so results can be compared.
`session_id` is the GameSession's UUID (no FK: results are written by a task that may run after the
games app changed its tables; erasure reaches them through the participant, which cascades).
"""

from __future__ import annotations

from django.db import models

from pseudonymization.models import Participant


class SessionMetrics(models.Model):
    session_id = models.UUIDField(db_index=True)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="session_metrics")
    metrics_version = models.CharField(max_length=40)
    event_schema = models.CharField(max_length=40)
    input_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON of schedule + events")
    values = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session_id", "metrics_version"], name="traits_metrics_once_per_version")
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"metrics {self.metrics_version} of {self.session_id}"


class ModelFit(models.Model):
    session_id = models.UUIDField(db_index=True)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="model_fits")
    model = models.CharField(max_length=40)
    model_version = models.CharField(max_length=40)
    input_hash = models.CharField(max_length=64)
    color = models.CharField(max_length=20, help_text="the colour whose balloons were fitted")
    estimates = models.JSONField()
    intervals = models.JSONField()
    log_likelihood = models.FloatField()
    aic = models.FloatField()
    bic = models.FloatField()
    n_decisions = models.PositiveIntegerField()
    converged = models.BooleanField()
    details = models.JSONField(help_text="the whole fit: standard errors, bounds reached, starts agreeing")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One fit per colour: the models assume one balloon type, so each colour is fitted on its own.
            models.UniqueConstraint(
                fields=["session_id", "model_version", "color"], name="traits_fit_once_per_version_colour"
            )
        ]
        ordering = ["model", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.model_version} of {self.session_id}"


class TraitProfile(models.Model):
    class Status(models.TextChoices):
        OK = "ok", "Scored"
        PARTIAL = "partial", "Some dimensions lack data"
        INSUFFICIENT = "insufficient_data", "Insufficient data"

    session_id = models.UUIDField(db_index=True)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="trait_profiles")
    traits_version = models.CharField(max_length=40)
    metrics_version = models.CharField(max_length=40)
    model_versions = models.JSONField(help_text="{model: version} of the fits shown as evidence")
    event_schema = models.CharField(max_length=40)
    input_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices)
    dimensions = models.JSONField()
    reference = models.CharField(
        max_length=40, default="default", help_text='"default" or the StudyNorms label it was standardized against'
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session_id", "traits_version", "reference"], name="traits_profile_once_per_version_reference"
            )
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.traits_version} of {self.session_id}"


class StudyNorms(models.Model):
    """A study's own reference distribution, computed from its participants (docs/traits.md).

    `label` ("study-norms-" + the first 16 hex digits of `norms_hash`) is what a profile
    standardized against these norms records in its `reference` field, so every score names the
    exact reference it was placed on. At most one row is active: the one new sessions use.
    """

    label = models.CharField(max_length=40, unique=True)
    norms_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON of the reference + version")
    traits_version = models.CharField(max_length=40)
    reference = models.JSONField(help_text="{dimension: {mean, sd, source}}")
    counts = models.JSONField(help_text="{dimension: number of participants' values}")
    n_participants = models.PositiveIntegerField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "study norms"

    def __str__(self) -> str:
        return f"{self.label} ({self.n_participants} participants)"


class StudyFit(models.Model):
    """A study-level (hierarchical) fit of one model: the population and every participant's shrunk estimate.

    One row per (model version, hierarchical version, sample): `sample_hash` is the SHA-256 of the
    fitted sessions' ids and input hashes, so refitting an unchanged sample finds its row. The newest
    row of a model is what the dashboard shows; older rows stay for comparison (docs/models.md).
    """

    class Trigger(models.TextChoices):
        GROWTH = "growth", "The sample grew"
        REQUEST = "request", "Requested by a researcher"
        COMMAND = "command", "Management command"

    model = models.CharField(max_length=40)
    model_version = models.CharField(max_length=40)
    hierarchical_version = models.CharField(max_length=40)
    color = models.CharField(max_length=20, help_text="the colour fitted (each participant's primary colour)")
    sample_hash = models.CharField(max_length=64)
    n_participants = models.PositiveIntegerField()
    population = models.JSONField(help_text="{parameter: {mu_free, sd_free, median, low, high, n}}")
    iterations = models.PositiveIntegerField()
    converged = models.BooleanField()
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    seconds = models.FloatField(help_text="wall time of the fit")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "hierarchical_version", "sample_hash"], name="traits_study_fit_once_per_sample"
            )
        ]
        ordering = ["model", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.hierarchical_version} {self.model_version} on {self.n_participants} participants"


class StudyFitEstimate(models.Model):
    """One participant's estimate under a StudyFit's population (erasure removes it with the participant)."""

    study_fit = models.ForeignKey(StudyFit, on_delete=models.CASCADE, related_name="estimates")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="study_fit_estimates")
    session_id = models.UUIDField()
    input_hash = models.CharField(max_length=64)
    estimates = models.JSONField()
    intervals = models.JSONField()
    derived = models.JSONField(help_text="identified combinations with intervals (par4: omega = -gamma / ln phi)")
    converged = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["study_fit", "participant"], name="traits_study_estimate_once")]
        ordering = ["study_fit", "id"]

    def __str__(self) -> str:
        return f"{self.study_fit_id}: {self.participant_id}"
