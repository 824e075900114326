"""Endpoints of the study-level model fits: read the newest, ask for a refit, one participant's estimates.

Every parameter comes with its identification label (traits.identification): `identified: false`
and a note where one session does not pin it down, so no caller can take it for evidence unlabelled.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from tenants.permissions import StudyAPIView
from traits import bart_models, hierarchical, identification
from traits.models import ModelFit, StudyFit, StudyFitEstimate
from traits.selectors import fits_of_participant, participant_get
from traits.study_fits import fit_every, study_estimate_of, study_fit_sample_size, study_fits_latest

BASIS = (
    "Empirical Bayes (EM with a Laplace approximation) over each active participant's first processed session, "
    "primary colour: the population is normal on each parameter's unconstrained scale (docs/models.md)."
)


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
        "identification": identification.labels(fit.model, fit.estimates, level="session"),
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
