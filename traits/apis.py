"""Endpoints of pipeline results: a participant's own profile, a session's metrics, a participant's traits.

Every answer carries the versions it was computed with (event schema, metrics, models, mapping)
and the SHA-256 of its input events, so a number can always be traced to its formula and data.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from pseudonymization.api_base import ParticipantAPIView
from tenants.permissions import StudyAPIView
from traits import identification
from traits.models import SessionMetrics, TraitProfile
from traits.selectors import (
    fits_for_session,
    metrics_latest,
    participant_get,
    profile_latest,
    profiles_of_participant,
)

# Said wherever a profile is shown: what it is and what it is not (Schmitz et al. 2016).
PROFILE_NOTICE = (
    "This profile describes how you played one session of a balloon game and, where the study has enough "
    "participants, how that compares with the others. Neither end of a dimension is better than the other. "
    "It is a research measure, not a diagnosis, and it "
    "must not be used to make decisions about a person."
)


class ProfileOut(serializers.Serializer):
    participant_code = serializers.CharField()
    session_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=TraitProfile.Status.choices)
    versions = serializers.DictField(
        help_text="traits, metrics, models {model: version}, event_schema, reference (default or study-norms-<hash>)"
    )
    input_sha256 = serializers.CharField()
    computed_at = serializers.DateTimeField()
    dimensions = serializers.ListField(
        child=serializers.DictField(),
        help_text="key, label, low_pole, high_pole, zero, status, value, value_interval, interval_method, direction, "
        "facts, z, z_interval, percentile, percentile_interval (null unless placed against a real norm), "
        "norm {basis, mean, sd, source, percentile_method, n, label, leave_one_out}, model_evidence, reason",
    )
    notice = serializers.CharField()


class TraitsOut(serializers.Serializer):
    participant_code = serializers.CharField()
    latest = ProfileOut()
    history = ProfileOut(many=True, help_text="earlier profiles (other sessions or versions), newest first")


class MetricsOut(serializers.Serializer):
    session_id = serializers.UUIDField()
    participant_code = serializers.CharField()
    versions = serializers.DictField()
    input_sha256 = serializers.CharField()
    computed_at = serializers.DateTimeField()
    metrics = serializers.DictField(help_text="overall, by_color, attention, trials (docs/metrics.md)")
    model_fits = serializers.ListField(child=serializers.DictField())


def profile_payload(profile: TraitProfile) -> dict[str, Any]:
    return {
        "participant_code": profile.participant.participant_code,
        "session_id": str(profile.session_id),
        "status": profile.status,
        "versions": {
            "traits": profile.traits_version,
            "metrics": profile.metrics_version,
            "models": profile.model_versions,
            "event_schema": profile.event_schema,
            "reference": profile.reference,
        },
        "input_sha256": profile.input_hash,
        "computed_at": profile.created_at.isoformat(),
        "dimensions": identification.label_evidence(profile.dimensions),
        "notice": PROFILE_NOTICE,
    }


def fit_payload(fit: Any) -> dict[str, Any]:
    return {
        "model": fit.model,
        "version": fit.model_version,
        "color": fit.color,
        "estimates": fit.estimates,
        "intervals": fit.intervals,
        # Read-time labels (traits.identification): a parameter one session does not pin down says so.
        "identification": identification.labels(fit.model, fit.estimates),
        "log_likelihood": fit.log_likelihood,
        "aic": fit.aic,
        "bic": fit.bic,
        "n_decisions": fit.n_decisions,
        "converged": fit.converged,
        "input_sha256": fit.input_hash,
    }


def metrics_payload(metrics: SessionMetrics, fits: list[Any]) -> dict[str, Any]:
    return {
        "session_id": str(metrics.session_id),
        "participant_code": metrics.participant.participant_code,
        "versions": {"metrics": metrics.metrics_version, "event_schema": metrics.event_schema},
        "input_sha256": metrics.input_hash,
        "computed_at": metrics.created_at.isoformat(),
        "metrics": metrics.values,
        "model_fits": [fit_payload(f) for f in fits],
    }


class MyProfileApi(ParticipantAPIView):
    """GET /api/v1/me/profile/ — the participant's latest profile; 404 `not_processed` before there is one."""

    allow_withdrawn = True  # seeing one's own results is a right of access, consent or not

    @extend_schema(
        summary="Get your trait profile",
        responses={200: ProfileOut, 404: OpenApiResponse(description="`not_processed`: no profile yet.")},
    )
    def get(self, request: Request) -> Response:
        profile = profile_latest(participant=self.participant)
        if profile is None:
            raise ApplicationError(
                "not_processed", "Your results are not ready yet: finish a game and try again.", status_code=404
            )
        return Response(ProfileOut(profile_payload(profile)).data)


class SessionMetricsApi(StudyAPIView):
    """GET /api/v1/sessions/{id}/metrics/ — the session's metrics (current version) and every model fit."""

    required_study_perm = "view_aggregate"

    @extend_schema(summary="Get a session's metrics and model fits", responses={200: MetricsOut})
    def get(self, request: Request, session_id: uuid.UUID) -> Response:
        metrics = metrics_latest(session=session_id)
        if metrics is None:
            raise ApplicationError(
                "not_found", "No metrics for this session (unknown or not processed).", status_code=404
            )
        return Response(MetricsOut(metrics_payload(metrics, fits_for_session(session=session_id))).data)


class ParticipantTraitsApi(StudyAPIView):
    """GET /api/v1/participants/{code}/traits/ — the latest profile, plus every stored profile (all versions)."""

    required_study_perm = "view_aggregate"

    @extend_schema(summary="Get a participant's trait profiles", responses={200: TraitsOut})
    def get(self, request: Request, code: str) -> Response:
        participant = participant_get(participant_code=code)
        if participant is None:
            raise ApplicationError("not_found", "No such participant in this study.", status_code=404)
        profiles = profiles_of_participant(participant=participant)
        if not profiles:
            raise ApplicationError("not_processed", "This participant has no processed session yet.", status_code=404)
        body = {
            "participant_code": participant.participant_code,
            "latest": profile_payload(profiles[0]),
            "history": [profile_payload(p) for p in profiles[1:]],
        }
        return Response(TraitsOut(body).data)
