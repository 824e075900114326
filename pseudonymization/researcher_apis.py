"""Researcher endpoint about participants on a study host: audited re-identification.

The pseudonymous participant list counts game sessions, so it lives in games/researcher_apis.py.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from pseudonymization.models import Participant
from pseudonymization.services import participant_reidentify
from tenants.credentials import require_recent_login
from tenants.permissions import StudyAPIView


class ReidentifyIn(serializers.Serializer):
    reason = serializers.CharField(min_length=10, max_length=2000, help_text="Why the identifier is needed (audited).")


ReidentifyOut = inline_serializer(
    "Reidentified",
    {"participant_code": serializers.CharField(), "external_id": serializers.CharField(allow_null=True)},
)


class ReidentifyApi(StudyAPIView):
    """POST /api/v1/participants/{code}/reidentify/ — the decrypted external id, for a stated reason; audited."""

    required_study_perm = {"POST": "reidentify"}

    @extend_schema(
        summary="Reveal a participant's external id, for a stated reason (audited)",
        request=ReidentifyIn,
        responses={200: ReidentifyOut, 400: None, 404: None},
    )
    def post(self, request: Request, code: str) -> Response:
        require_recent_login(request)
        data = ReidentifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        participant = get_object_or_404(Participant, participant_code=code)
        external_id = participant_reidentify(
            participant=participant, acting_user=request.user, reason=data.validated_data["reason"]
        )
        response = Response({"participant_code": participant.participant_code, "external_id": external_id})
        response["Cache-Control"] = "no-store"  # an identifier must not linger in caches
        return response
