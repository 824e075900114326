"""Researcher endpoints about participants on a study host: the pseudonymous list and re-identification."""

from __future__ import annotations

import logging

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from pseudonymization.models import Participant
from pseudonymization.selectors import consent_state, participants_for_researchers
from pseudonymization.services import participant_reidentify
from tenants.credentials import require_recent_login
from tenants.permissions import StudyAPIView

logger = logging.getLogger(__name__)


class ParticipantListApi(StudyAPIView):
    """GET /api/v1/participants/ — codes, status, consent state and session counts; never identifiers."""

    required_study_perm = "view_aggregate"

    class OutputSerializer(serializers.Serializer):
        participant_code = serializers.CharField()
        status = serializers.CharField()
        created_at = serializers.DateTimeField()
        withdrawn_at = serializers.DateTimeField(allow_null=True)
        consent = inline_serializer(
            "ParticipantConsentState",
            {
                "state": serializers.ChoiceField(choices=["current", "outdated", "withdrawn", "none"]),
                "version": serializers.CharField(allow_null=True),
                "agreed_at": serializers.DateTimeField(allow_null=True),
                "method": serializers.CharField(allow_null=True),
            },
        )
        sessions = serializers.IntegerField(required=False, help_text="Present once the games app stores sessions.")
        duplicate_of = serializers.CharField(
            allow_null=True,
            help_text="Enrolled again with an external id that had taken part: the first participant's code.",
        )

    @extend_schema(
        summary="List the study's participants by pseudonymous code",
        parameters=[OpenApiParameter("status", str, enum=[s.value for s in Participant.Status])],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        from consent.selectors import consent_settings_get

        status = request.query_params.get("status") or None
        if status is not None and status not in Participant.Status.values:
            raise ApplicationError(
                "invalid", "Unknown status.", details={"status": [f"One of {Participant.Status.values}."]}
            )
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(participants_for_researchers(status=status), request, view=self) or []
        require_reconsent = consent_settings_get().require_reconsent
        rows = []
        for participant in page:
            state = consent_state(participant=participant, require_reconsent=require_reconsent)
            row = {
                "participant_code": participant.participant_code,
                "status": participant.status,
                "created_at": participant.created_at,
                "withdrawn_at": participant.withdrawn_at,
                "duplicate_of": participant.duplicate_of.participant_code if participant.duplicate_of else None,
                "consent": {
                    "state": state.state,
                    "version": state.version,
                    "agreed_at": state.agreed_at,
                    "method": state.method,
                },
            }
            if hasattr(participant, "session_count"):
                row["sessions"] = participant.session_count
            rows.append(row)
        return paginator.get_paginated_response(self.OutputSerializer(rows, many=True).data)


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
