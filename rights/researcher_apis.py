"""The managers' rights endpoints on a study host: the deletion workflow and the rights settings.

The participant's own (their data, their deletion request, its certificate): rights/apis.py.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from core.openapi_extensions import paginated
from rights import services
from rights.apis import RequestStatusOut
from rights.models import DeletionRequest, RightsSettings
from rights.selectors import deletion_request_get, deletion_requests_list, rights_settings_get
from tenants.credentials import require_recent_login
from tenants.permissions import StudyAPIView
from traits.selectors import participant_get


class DeletionRequestOut(serializers.Serializer):
    request_id = serializers.UUIDField(source="pk")
    participant_code = serializers.CharField(source="participant.participant_code", allow_null=True, default=None)
    status = serializers.CharField()
    source = serializers.CharField()
    requested_by_user_id = serializers.IntegerField(allow_null=True)
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField(source="is_overdue")
    verified_at = serializers.DateTimeField(allow_null=True)
    executed_at = serializers.DateTimeField(allow_null=True)
    rejected_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    steps_done = serializers.ListField(child=serializers.CharField())
    counts = serializers.DictField(child=serializers.IntegerField())
    certificate_sha256 = serializers.CharField()


class DeletionRequestDetailOut(DeletionRequestOut):
    """One request as its detail endpoint shows it: with the certificate (null until executed)."""

    certificate = serializers.JSONField(allow_null=True)


class FileOnBehalfIn(serializers.Serializer):
    participant_code = serializers.CharField(max_length=16)


class DeletionRequestListApi(StudyAPIView):
    """GET /api/v1/deletion-requests/ (filters: status, overdue); POST files one on a participant's behalf."""

    required_study_perm = "manage_deletion"

    @extend_schema(
        summary="List the study's deletion requests",
        parameters=[
            OpenApiParameter("status", str, enum=list(DeletionRequest.Status.values)),
            OpenApiParameter("overdue", bool),
        ],
        responses={200: paginated("PaginatedDeletionRequestList", DeletionRequestOut)},  # found by the fuzzer
        operation_id="deletion_requests_list",
    )
    def get(self, request: Request) -> Response:
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in DeletionRequest.Status.values:
            raise ApplicationError(
                "invalid", "Unknown status.", details={"status": [f"One of {DeletionRequest.Status.values}."]}
            )
        overdue = request.query_params.get("overdue") in {"1", "true", "yes"}
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(
            deletion_requests_list(status=wanted, overdue=overdue or None), request, view=self
        )
        return paginator.get_paginated_response(DeletionRequestOut(page or [], many=True).data)

    @extend_schema(
        summary="File a deletion request on a participant's behalf",
        request=FileOnBehalfIn,
        responses={201: DeletionRequestOut, 200: DeletionRequestOut, 404: None},
    )
    def post(self, request: Request) -> Response:
        data = FileOnBehalfIn(data=request.data)
        data.is_valid(raise_exception=True)
        participant = participant_get(participant_code=data.validated_data["participant_code"])
        if participant is None:
            raise Http404
        filed, created = services.deletion_request_file(
            participant=participant,
            source=DeletionRequest.Source.MANAGER,
            acting_user=request.user,
        )
        return Response(DeletionRequestOut(filed).data, status=201 if created else 200)


def _request_or_404(request_id: uuid.UUID) -> DeletionRequest:
    row = deletion_request_get(request_id=request_id)
    if row is None:
        raise Http404
    return row


class DeletionRequestDetailApi(StudyAPIView):
    """GET /api/v1/deletion-requests/{id}/ — one request, with its certificate once executed."""

    required_study_perm = "manage_deletion"

    @extend_schema(summary="Get a deletion request", responses={200: DeletionRequestDetailOut, 404: None})
    def get(self, request: Request, request_id: uuid.UUID) -> Response:
        return Response(DeletionRequestDetailOut(_request_or_404(request_id)).data)


class DeletionRequestVerifyApi(StudyAPIView):
    required_study_perm = {"POST": "manage_deletion"}

    @extend_schema(
        summary="Mark a deletion request as verified",
        request=None,
        responses={200: DeletionRequestOut, 404: None, 409: None},
    )
    def post(self, request: Request, request_id: uuid.UUID) -> Response:
        row = services.deletion_request_verify(request=_request_or_404(request_id), acting_user=request.user)
        return Response(DeletionRequestOut(row).data)


class DeletionRequestExecuteApi(StudyAPIView):
    """POST .../{id}/execute/ — 202; execution is queued (a received request is verified on the way)."""

    required_study_perm = {"POST": "manage_deletion"}

    @extend_schema(
        summary="Execute a deletion request (queued)",
        request=None,
        responses={202: RequestStatusOut, 404: None, 409: None},
    )
    def post(self, request: Request, request_id: uuid.UUID) -> Response:
        require_recent_login(request)
        row = services.deletion_request_schedule_execution(
            request=_request_or_404(request_id), acting_user=request.user
        )
        return Response(RequestStatusOut(row).data, status=status.HTTP_202_ACCEPTED)


class RejectIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DeletionRequestRejectApi(StudyAPIView):
    required_study_perm = {"POST": "manage_deletion"}

    @extend_schema(
        summary="Reject a deletion request, with a reason",
        request=RejectIn,
        responses={200: DeletionRequestOut, 400: None, 404: None, 409: None},
    )
    def post(self, request: Request, request_id: uuid.UUID) -> Response:
        data = RejectIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.deletion_request_reject(
            request=_request_or_404(request_id), acting_user=request.user, reason=data.validated_data["reason"]
        )
        return Response(DeletionRequestOut(row).data)


class RightsSettingsSerializer(serializers.Serializer):
    due_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    auto_execute = serializers.BooleanField(required=False)
    withdrawal_data = serializers.ChoiceField(choices=RightsSettings.WithdrawalData.values, required=False)


class RightsSettingsApi(StudyAPIView):
    """GET/PATCH /api/v1/rights/settings/ — due days, automatic execution, what withdrawal does to data."""

    required_study_perm = {"GET": "manage_deletion", "PATCH": "change_settings"}

    @extend_schema(summary="Get the study's data-rights settings", responses={200: RightsSettingsSerializer})
    def get(self, request: Request) -> Response:
        return Response(RightsSettingsSerializer(rights_settings_get()).data)

    @extend_schema(
        summary="Change the study's data-rights settings",
        request=RightsSettingsSerializer,
        responses={200: RightsSettingsSerializer, 400: None},
    )
    def patch(self, request: Request) -> Response:
        data = RightsSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.rights_settings_update(acting_user=request.user, **data.validated_data)
        return Response(RightsSettingsSerializer(row).data)
