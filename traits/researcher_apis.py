"""Researchers' results endpoints: a session's metrics, a participant's traits, the study-level model fits
(read the newest, ask for a refit) and one participant's estimates.

Every answer carries the versions it was computed with and the SHA-256 of its input. Every parameter
comes with its identification label (traits.identification): `identified: false` and a note where one
session does not pin it down, so no caller can take it for evidence unlabelled.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from tenants.permissions import StudyAPIView
from traits import bart_models, hierarchical, identification
from traits.apis import ProfileOut, profile_payload
from traits.models import ModelFit, SessionMetrics, StudyFit, StudyFitEstimate
from traits.selectors import (
    fits_for_session,
    fits_of_participant,
    metrics_latest,
    participant_get,
    profiles_of_participant,
)
from traits.study_fits import fit_every, study_estimate_of, study_fit_sample_size, study_fits_latest

BASIS = (
    "Empirical Bayes (EM with a Laplace approximation) over each active participant's first processed session, "
    "primary colour: the population is normal on each parameter's unconstrained scale (docs/models.md)."
)


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


def fit_payload(fit: Any) -> dict[str, Any]:
    return {
        "model": fit.model,
        "version": fit.model_version,
        "color": fit.color,
        "estimates": fit.estimates,
        "intervals": fit.intervals,
        # Read-time labels (traits.identification): a parameter one session does not pin down says so.
        "identification": identification.labels(fit.model, fit.estimates, version=fit.model_version),
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


def study_fit_payload(fit: StudyFit) -> dict[str, Any]:
    params = list(fit.population)
    return {
        "model": fit.model,
        "versions": {"model": fit.model_version, "hierarchical": fit.hierarchical_version},
        "n_participants": fit.n_participants,
        "color": fit.color,
        "population": fit.population,
        "identification": identification.labels(fit.model, params, level="study"),
        "converged": fit.converged,
        "iterations": fit.iterations,
        "trigger": fit.trigger,
        "seconds": fit.seconds,
        "sample_sha256": fit.sample_hash,
        "computed_at": fit.created_at.isoformat(),
        "basis": BASIS,
    }


def study_estimate_payload(row: StudyFitEstimate) -> dict[str, Any]:
    fit = row.study_fit
    return {
        "model": fit.model,
        "versions": {"model": fit.model_version, "hierarchical": fit.hierarchical_version},
        "session_id": str(row.session_id),
        "estimates": row.estimates,
        "intervals": row.intervals,
        "derived": row.derived,
        "identification": identification.labels(fit.model, [*row.estimates, *row.derived], level="study"),
        "converged": row.converged,
        "population": {"n_participants": fit.n_participants, "computed_at": fit.created_at.isoformat()},
    }


def session_fit_payload(fit: ModelFit) -> dict[str, Any]:
    return {
        "model": fit.model,
        "version": fit.model_version,
        "session_id": str(fit.session_id),
        "color": fit.color,
        "estimates": fit.estimates,
        "intervals": fit.intervals,
        "identification": identification.labels(fit.model, fit.estimates, level="session", version=fit.model_version),
        "converged": fit.converged,
    }


class StudyFitsOut(serializers.Serializer):
    fits = serializers.ListField(child=serializers.DictField(), help_text="the newest fit of each model")
    sample = serializers.DictField(help_text="participants in the sample now, the minimum, refit every N new ones")


class ParticipantModelsOut(serializers.Serializer):
    participant_code = serializers.CharField()
    session_fits = serializers.ListField(
        child=serializers.DictField(), help_text="every per-session MAP fit, with `identified` per parameter"
    )
    study_level = serializers.ListField(
        child=serializers.DictField(), help_text="the participant's estimates from the newest study-level fit"
    )
    basis = serializers.CharField(help_text="how the study-level estimates were made")


class StudyFitQueuedOut(serializers.Serializer):
    queued = serializers.BooleanField()
    sample = serializers.DictField(help_text="participants in the sample now, the minimum, refit every N new ones")


class StudyFitsApi(StudyAPIView):
    """GET /api/v1/study-fits/ — the newest study-level fit per model; POST queues a refit (analyst and up)."""

    required_study_perm = {"GET": "view_aggregate", "POST": "export_data"}

    def _sample(self) -> dict[str, Any]:
        return {
            "participants": study_fit_sample_size(),
            "minimum": hierarchical.MIN_PARTICIPANTS,
            "refit_every": fit_every(),
        }

    @extend_schema(summary="Get the study-level model fits", responses={200: StudyFitsOut})
    def get(self, request: Request) -> Response:
        fits = study_fits_latest()
        body = {"fits": [study_fit_payload(f) for f in fits.values()], "sample": self._sample()}
        return Response(StudyFitsOut(body).data)

    @extend_schema(
        summary="Refit the study-level models now",
        request=None,
        responses={
            202: OpenApiResponse(response=StudyFitQueuedOut, description="queued"),
            409: OpenApiResponse(description="`not_enough_participants`"),
        },
    )
    def post(self, request: Request) -> Response:
        from traits.tasks import fit_study_models

        sample = self._sample()
        if sample["participants"] < hierarchical.MIN_PARTICIPANTS:
            raise ApplicationError(
                "not_enough_participants",
                f"A study-level fit needs at least {hierarchical.MIN_PARTICIPANTS} participants "
                "with a processed session.",
                details={"participants": sample["participants"], "required": hierarchical.MIN_PARTICIPANTS},
                status_code=409,
            )
        fit_study_models.delay(trigger=StudyFit.Trigger.REQUEST)
        return Response(StudyFitQueuedOut({"queued": True, "sample": sample}).data, status=status.HTTP_202_ACCEPTED)


class ParticipantModelsApi(StudyAPIView):
    """GET /api/v1/participants/{code}/models/ — per-session fits and the study-level estimates, labelled."""

    required_study_perm = "view_aggregate"

    @extend_schema(summary="Get a participant's model parameters", responses={200: ParticipantModelsOut})
    def get(self, request: Request, code: str) -> Response:
        participant = participant_get(participant_code=code)
        if participant is None:
            raise ApplicationError("not_found", "No such participant in this study.", status_code=404)
        session_fits = fits_of_participant(
            participant=participant, model_versions=[m.version for m in bart_models.MODELS.values()]
        )
        study = [row for name in bart_models.MODELS if (row := study_estimate_of(participant=participant, model=name))]
        body = {
            "participant_code": participant.participant_code,
            "session_fits": [session_fit_payload(f) for f in session_fits],
            "study_level": [study_estimate_payload(row) for row in study],
            "basis": BASIS,
        }
        return Response(ParticipantModelsOut(body).data)


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
