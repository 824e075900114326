"""Researcher reads on a study host: sessions (viewer+), balloons (viewer+), raw events (analyst+), and the
participant list with session counts (viewer+), which shares /api/v1/participants/ with consent's enrolment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.apis import ParticipantCreateApi, ParticipantCreateIn, ParticipantCreateOut
from consent.selectors import consent_settings_get, consent_state
from core.errors import ApplicationError
from core.openapi_extensions import paginated
from games.models import GameSession
from games.selectors import (
    participants_for_researchers,
    session_balloons,
    session_events_queryset,
    session_get,
    session_list,
)
from pseudonymization.models import Participant
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


class ParticipantListApi(StudyAPIView):
    """GET /api/v1/participants/ — codes, status, consent state and session counts; never identifiers.

    Reached through ParticipantsApi below, which owns the path.
    """

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
        sessions = serializers.IntegerField(help_text="Game sessions started, finished or not.")
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
            rows.append(
                {
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
                    "sessions": participant.session_count,
                }
            )
        return paginator.get_paginated_response(self.OutputSerializer(rows, many=True).data)


class ParticipantsApi(APIView):
    """/api/v1/participants/: POST is a participant agreeing (anyone), GET the researchers' list (viewer+).

    One path, two audiences: each method is handed to the view that owns its authentication and
    permission rules, so neither rule set is bent to fit the other. The path lives in games, not
    consent, because the list counts game sessions; enrolment stays consent's ParticipantCreateApi.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            return _CREATE(request, *args, **kwargs)
        return _LIST(request, *args, **kwargs)

    # For the OpenAPI schema only: dispatch() never reaches these.
    @extend_schema(
        summary="List the study's participants by pseudonymous code",
        parameters=[OpenApiParameter("status", str, enum=[s.value for s in Participant.Status])],
        responses={
            # The list is paginated (found by the schemathesis run in tests/security).
            200: paginated("PaginatedParticipantList", ParticipantListApi.OutputSerializer),
            # ParticipantListApi's refusals (a StudyAPIView), which this dispatcher cannot show.
            403: None,
            404: None,
        },
        # GET is ParticipantListApi's: a researcher's token or session, not this view's empty list.
        auth=[{"knoxApiToken": []}, {"cookieAuth": []}],
        operation_id="participants_list",
    )
    def get(self, request: Request) -> Response:  # pragma: no cover
        raise NotImplementedError

    @extend_schema(
        summary="Agree to the consent and join the study",
        request=ParticipantCreateIn,
        responses={201: ParticipantCreateOut, 400: None, 409: None},
        operation_id="participants_create",
    )
    def post(self, request: Request) -> Response:  # pragma: no cover
        raise NotImplementedError


_CREATE = ParticipantCreateApi.as_view()
_LIST = ParticipantListApi.as_view()
