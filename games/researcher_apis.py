"""Researcher reads of game data on a study host: sessions (viewer+), balloons (viewer+), raw events (analyst+)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from core.openapi_extensions import paginated
from games.models import GameSession
from games.selectors import session_balloons, session_events_queryset, session_get, session_list
from tenants.permissions import StudyAPIView


class SessionOut(serializers.Serializer):
    session_id = serializers.UUIDField(source="pk")
    participant_code = serializers.CharField(source="participant.participant_code")
    status = serializers.CharField()
    event_schema = serializers.CharField()
    started_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    last_event_at = serializers.DateTimeField(allow_null=True)
    event_count = serializers.IntegerField()
    rejected_count = serializers.IntegerField()
    quality_flags = serializers.DictField()
    skew_ms_min = serializers.IntegerField(allow_null=True)


class BalloonSummaryOut(serializers.Serializer):
    index = serializers.IntegerField()
    color = serializers.CharField()
    max_pumps = serializers.IntegerField()
    explosion_point = serializers.IntegerField()
    pumps = serializers.IntegerField()
    outcome = serializers.CharField()
    earnings = serializers.DecimalField(max_digits=12, decimal_places=4)
    started_t = serializers.FloatField(allow_null=True)
    ended_t = serializers.FloatField(allow_null=True)
    violations = serializers.DictField()


class EventOut(serializers.Serializer):
    event_id = serializers.UUIDField()
    seq = serializers.IntegerField()
    type = serializers.CharField()
    t = serializers.FloatField()
    client_ts = serializers.IntegerField()
    sent_at = serializers.IntegerField(allow_null=True)
    received_at = serializers.DateTimeField()
    skew_ms = serializers.IntegerField(allow_null=True)
    balloon = serializers.IntegerField(allow_null=True)
    data = serializers.DictField()
    flags = serializers.ListField(child=serializers.CharField())


class EventsPagination(LimitOffsetPagination):
    default_limit = 500
    max_limit = 5000


def _session_or_404(session_id: Any) -> GameSession:
    session = session_get(session_id=session_id)
    if session is None:
        raise ApplicationError("not_found", "No such session in this study.", status_code=404)
    return session


class SessionListApi(StudyAPIView):
    """GET /api/v1/sessions/ — the study's game sessions (viewer+), newest first, paginated."""

    required_study_perm = "view_aggregate"

    @extend_schema(
        summary="List the study's game sessions, newest first",
        parameters=[
            OpenApiParameter("participant", str, description="participant code"),
            OpenApiParameter("status", str, enum=[s.value for s in GameSession.Status]),
        ],
        responses={200: paginated("PaginatedSessionList", SessionOut)},  # found by the fuzzer
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status") or None
        if status and status not in GameSession.Status.values:
            raise ApplicationError(
                "invalid_filter", f"Unknown status {status!r}.", details={"status": GameSession.Status.values}
            )
        sessions = session_list(participant_code=request.query_params.get("participant") or None, status=status)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(sessions, request, view=self)
        return paginator.get_paginated_response(SessionOut(page, many=True).data)


@extend_schema_serializer(component_name="SessionBalloons")  # the component's name before it was a class
class SessionBalloonsOut(serializers.Serializer):
    session_id = serializers.UUIDField()
    results = BalloonSummaryOut(many=True)


class SessionBalloonsApi(StudyAPIView):
    """GET /api/v1/sessions/{id}/balloons/ — per-balloon summaries (viewer+)."""

    required_study_perm = "view_aggregate"

    @extend_schema(
        summary="Get a session's per-balloon summaries",
        responses={200: SessionBalloonsOut},
    )
    def get(self, request: Request, session_id: Any) -> Response:
        session = _session_or_404(session_id)
        body = {"session_id": session.pk, "results": session_balloons(session=session)}
        return Response(SessionBalloonsOut(body).data)


class SessionEventsApi(StudyAPIView):
    """GET /api/v1/sessions/{id}/events/ — raw events in seq order (analyst+: view_raw), paginated."""

    required_study_perm = "view_raw"

    @extend_schema(
        summary="Read a session's raw events in order",
        responses={200: paginated("PaginatedEventList", EventOut, EventsPagination)},
    )
    def get(self, request: Request, session_id: Any) -> Response:
        session = _session_or_404(session_id)
        paginator = EventsPagination()
        page = paginator.paginate_queryset(session_events_queryset(session=session), request, view=self)
        return paginator.get_paginated_response(EventOut(page, many=True).data)
