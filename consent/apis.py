"""Participant-facing consent API on a study host: the current document, agreeing, withdrawing."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.gate import ParticipantAPIView
from consent.models import ConsentRecord
from consent.selectors import consent_document_current
from consent.services import consent_give, consent_withdraw
from core.errors import ApplicationError


class ConsentDocumentOut(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField(source="body")
    language = serializers.CharField()
    sha256 = serializers.CharField()
    published_at = serializers.DateTimeField()


class CurrentConsentApi(APIView):
    """GET /api/v1/consent/ — the document a participant must agree to (public, no credentials)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get the consent document participants agree to",
        responses={200: ConsentDocumentOut, 404: OpenApiResponse(description="no published document")},
    )
    def get(self, request: Request) -> Response:
        document = consent_document_current()
        if document is None:
            raise ApplicationError(
                "no_consent_document", "This study has no published consent document.", status_code=404
            )
        return Response(ConsentDocumentOut(document).data)


class ParticipantCreateIn(serializers.Serializer):
    consent_version = serializers.CharField(max_length=32)
    consent_sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", error_messages={"invalid": "Must be 64 hex digits."})
    agree = serializers.BooleanField()
    # Validated by the service, which never echoes the value (it identifies a person).
    external_id = serializers.CharField(required=False, allow_null=True, trim_whitespace=False, max_length=None)

    def validate_agree(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError("Consent needs an explicit agreement (true).")
        return value


@extend_schema_serializer(component_name="ParticipantCreated")  # the component's name before it was a class
class ParticipantCreateOut(serializers.Serializer):
    participant_code = serializers.CharField()
    token = serializers.CharField()


class ParticipantCreateApi(APIView):
    """POST /api/v1/participants/ — agree to the current consent; returns a code and a bearer token.

    Always 201 with a new code and token: an external id that took part before gives a new,
    separate participant marked as a duplicate enrolment (the same answer, so no oracle).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Agree to the consent and join the study",
        request=ParticipantCreateIn,
        responses={201: ParticipantCreateOut, 400: None, 409: None},
    )
    def post(self, request: Request) -> Response:
        data = ParticipantCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        given = consent_give(
            version=data.validated_data["consent_version"],
            sha256=data.validated_data["consent_sha256"],
            external_id=data.validated_data.get("external_id"),
            method=ConsentRecord.Method.API,
        )
        body = {"participant_code": given.participant.participant_code, "token": given.token}
        return Response(ParticipantCreateOut(body).data, status=status.HTTP_201_CREATED)


class WithdrawIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class WithdrawOut(serializers.Serializer):
    participant_code = serializers.CharField()
    status = serializers.CharField()
    withdrawn_at = serializers.DateTimeField()


class WithdrawApi(ParticipantAPIView):
    """POST /api/v1/me/withdraw/ — withdraw consent; tokens are revoked, further data gets 409. Idempotent."""

    require_consent = False  # withdrawing must work even when a new version awaits agreement
    allow_withdrawn = True  # a repeated call answers the same, not an error

    @extend_schema(summary="Withdraw your consent", request=WithdrawIn, responses={200: WithdrawOut, 401: None})
    def post(self, request: Request) -> Response:
        data = WithdrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        participant = consent_withdraw(participant=self.participant, reason=data.validated_data["reason"])
        return Response(WithdrawOut(participant).data)
