"""The participant's rights endpoints on a study host: their data, their deletion request, its certificate.

The managers' deletion workflow and the rights settings: rights/researcher_apis.py.
"""

from __future__ import annotations

import uuid

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.gate import ParticipantAPIView
from core.errors import ApplicationError
from rights import services
from rights.models import DeletionRequest
from rights.selectors import deletion_request_executed_get, deletion_request_open, deletion_requests_of


@extend_schema_serializer(component_name="DeletionRequestStatus")  # the component's name before it was a class
class RequestStatusOut(serializers.Serializer):
    request_id = serializers.UUIDField(source="pk")
    status = serializers.CharField()


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"  # personal data must not linger in caches
    return response


class MyDataApi(ParticipantAPIView):
    """GET /api/v1/me/data/ — everything stored about the caller; the identifier only to its owner (audited)."""

    allow_withdrawn = True  # the right of access outlives consent
    require_consent = False

    @extend_schema(
        summary="Get everything stored about you",
        parameters=[
            OpenApiParameter(
                "download",
                str,
                OpenApiParameter.QUERY,
                required=False,
                description="Any non-empty value (e.g. `1`) adds `Content-Disposition: attachment; "
                'filename="my-data.json"`, so a browser saves the file instead of showing it. The body is '
                "the same either way.",
                examples=[OpenApiExample("save as a file", value="1")],
            )
        ],
        responses={200: inline_serializer("ParticipantData", {"format": serializers.CharField()})},
    )
    def get(self, request: Request) -> Response:
        data = services.participant_data_read(participant=self.participant, acting_user=request.user)
        response = _no_store(Response(data))
        if request.query_params.get("download"):
            response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


class MyDeletionRequestApi(ParticipantAPIView):
    """POST /api/v1/me/deletion-request/ — 202 with the open request (a second call returns the same one)."""

    allow_withdrawn = True
    require_consent = False

    @extend_schema(
        summary="Ask for your data to be deleted", request=None, responses={202: RequestStatusOut, 409: None}
    )
    def post(self, request: Request) -> Response:
        filed, _ = services.deletion_request_file(
            participant=self.participant, source=DeletionRequest.Source.PARTICIPANT, acting_user=request.user
        )
        return Response(RequestStatusOut(filed).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Get the state of your deletion request", responses={200: RequestStatusOut, 404: None})
    def get(self, request: Request) -> Response:
        latest = deletion_request_open(participant=self.participant) or next(
            iter(deletion_requests_of(participant=self.participant)), None
        )
        if latest is None:
            raise ApplicationError("not_found", "No deletion request.", status_code=404)
        return Response(RequestStatusOut(latest).data)


class CertificateOut(serializers.Serializer):
    request_id = serializers.UUIDField(source="pk")
    certificate = serializers.JSONField()
    sha256 = serializers.CharField(source="certificate_sha256")


class DeletionCertificateApi(APIView):
    """GET /api/v1/deletion-certificates/{request_id}/ — the certificate of an executed request.

    The request id (a random UUID given to the requester) is the capability: the certificate holds
    no personal data, and after erasure the participant has no token left to authenticate with.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(summary="Get the certificate of an executed deletion", responses={200: CertificateOut, 404: None})
    def get(self, request: Request, request_id: uuid.UUID) -> Response:
        row = deletion_request_executed_get(request_id=request_id)
        if row is None:
            raise ApplicationError("not_found", "No executed deletion request with this id.", status_code=404)
        return Response(CertificateOut(row).data)
