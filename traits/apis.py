"""The participant's own trait profile (the researchers' results endpoints: traits/researcher_apis.py).

Every answer carries the versions it was computed with (event schema, metrics, models, mapping)
and the SHA-256 of its input events, so a number can always be traced to its formula and data.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from consent.gate import ParticipantAPIView
from core.errors import ApplicationError
from traits import identification
from traits.models import TraitProfile
from traits.selectors import profile_latest

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
