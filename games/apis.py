"""Participant game API on a study host: start a session, send event batches, complete, read status.

Authentication is the participant's bearer token or HttpOnly cookie (+ CSRF), through
ParticipantAPIView; someone else's session is 404, a closed session or a withdrawal 409.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.gate import ParticipantAPIView
from core.errors import ApplicationError
from core.ratelimit import refuse_over_limit
from games import batch_view
from games.confirmation import confirm_action, is_server_confirmed, public_schedule
from games.event_schema import EVENT_SCHEMA_NAME, SCHEMA_PATH, SCHEMA_REVISION, load_schema
from games.flow_step import due_game_step
from games.models import GameSession
from games.selectors import session_get_for_participant, session_progress
from games.services import session_complete, session_open_for, session_start

_ERR = OpenApiResponse(description='{"error": {"code", "message", "details"}}')


class BalloonOut(serializers.Serializer):
    index = serializers.IntegerField()
    color = serializers.CharField()
    max_pumps = serializers.IntegerField()
    explosion_point = serializers.IntegerField(allow_null=True, help_text="null when the server confirms pumps")


# Classes named as their inline components were, so the schema keeps its names; field order is the body's.
@extend_schema_serializer(component_name="GameSessionStarted")
class SessionStartOut(serializers.Serializer):
    session_id = serializers.UUIDField()
    status = serializers.CharField()
    event_schema = serializers.CharField()
    reward_per_pump = serializers.FloatField()
    currency = serializers.CharField()
    variant = serializers.CharField()
    resumed = serializers.BooleanField()
    balloons = BalloonOut(many=True)
    pump_confirmation = serializers.ChoiceField(choices=["client", "server"])
    progress = serializers.DictField()


@extend_schema_serializer(component_name="GameSessionStatus")
class SessionStatusOut(serializers.Serializer):
    session_id = serializers.UUIDField()
    status = serializers.CharField()
    event_count = serializers.IntegerField()
    max_seq = serializers.IntegerField(allow_null=True)
    rejected_count = serializers.IntegerField()
    quality_flags = serializers.DictField()
    progress = serializers.DictField()


BatchIn = inline_serializer(
    "EventBatch",
    {
        "sent_at": serializers.IntegerField(required=False, help_text="client wall clock (ms) when sent"),
        "events": serializers.ListField(child=serializers.DictField(), help_text="bart-events/1 events, ≤ 1000"),
    },
)
BatchOut = inline_serializer(
    "EventBatchResult",
    {
        "accepted": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "rejected": serializers.ListField(child=serializers.DictField()),
    },
)


def session_start_body(session: GameSession, *, resumed: bool) -> dict[str, Any]:
    config = session.config
    return {
        "session_id": str(session.pk),
        "status": session.status,
        "event_schema": session.event_schema,
        "reward_per_pump": config.get("reward_per_pump"),
        "currency": config.get("currency", "USD"),
        "variant": config.get("variant", "standard"),
        "resumed": resumed,
        "balloons": public_schedule(session),
        "pump_confirmation": config.get("pump_confirmation", "client"),
        "progress": session_progress(session=session),
    }


class _OwnSessionMixin:
    def own_session(self, session_id: Any) -> GameSession:
        session = session_get_for_participant(participant=self.participant, session_id=session_id)  # type: ignore[attr-defined]
        if session is None:
            raise ApplicationError("not_found", "No such session.", status_code=404)
        return session


CLIENT_INFO_MAX_CHARS = 256


def _count_new_session(participant_id: int) -> None:
    """At most GAME_SESSIONS_PER_HOUR new sessions a participant (resuming the open one is free)."""
    limit = int(getattr(settings, "GAME_SESSIONS_PER_HOUR", 10))
    refuse_over_limit(
        f"games:starts:{connection.schema_name}:{participant_id}",
        limit=limit,
        window=3600,
        message=f"At most {limit} new game sessions an hour; retry later.",
    )


class GameSessionStartApi(ParticipantAPIView):
    """POST /api/v1/game/sessions/ — start (201) or resume (200) the participant's game session."""

    @extend_schema(
        summary="Start or resume your game session",
        request=inline_serializer("GameSessionStart", {"client_info": serializers.DictField(required=False)}),
        responses={201: SessionStartOut, 200: SessionStartOut, 401: _ERR, 403: _ERR, 409: _ERR},
    )
    def post(self, request: Request) -> Response:
        raw = request.data.get("client_info") if isinstance(request.data, dict) else None
        # Only a few scalar fields: client info is context, not a place to store arbitrary payloads.
        info = (
            {str(k)[:40]: v for k, v in raw.items() if isinstance(v, (str, int, float, bool))}
            if isinstance(raw, dict)
            else {}
        )
        if any(isinstance(v, str) and len(v) > CLIENT_INFO_MAX_CHARS for v in info.values()):
            raise ApplicationError(
                "invalid",
                "The request is not valid.",
                details={"client_info": [f"Each value holds at most {CLIENT_INFO_MAX_CHARS} characters."]},
            )
        step = None
        if session_open_for(participant=self.participant) is None:
            # A new game only when the participant's flow has a game step due now.
            step = due_game_step(self.participant)
            if step is None:
                raise ApplicationError(
                    "no_game_due", "No game is due now in this study's flow for you.", status_code=409
                )
            _count_new_session(self.participant.pk)
        session, created = session_start(
            participant=self.participant, client_info=dict(list(info.items())[:20]), step=step
        )
        return Response(
            SessionStartOut(session_start_body(session, resumed=not created)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class GameSessionEventsApi(ParticipantAPIView):
    """POST /api/v1/game/sessions/{id}/events/ — a batch of events (see docs/event-schema.md).

    The URL is served by ``session_events_view`` (games/batch_view.py, no DRF on the hot path);
    this class gives the endpoint its place in the OpenAPI schema and, called through DRF, the
    same answers.
    """

    @extend_schema(
        summary="Send a batch of game events",
        request=BatchIn,
        responses={200: BatchOut, 400: _ERR, 401: _ERR, 404: _ERR, 409: _ERR, 413: _ERR, 429: _ERR},
    )
    def post(self, request: Request, session_id: Any) -> HttpResponse:
        return batch_view.session_events(request._request, session_id)


@csrf_exempt  # batch_view checks CSRF itself for cookie-borne tokens
def session_events_view(request: HttpRequest, session_id: Any) -> HttpResponse:
    return batch_view.session_events(request, session_id)


# What DRF's as_view() sets: the schema generator documents the URL through the class above.
session_events_view.cls = GameSessionEventsApi  # type: ignore[attr-defined]
session_events_view.initkwargs = {}  # type: ignore[attr-defined]


class ConfirmIn(serializers.Serializer):
    balloon = serializers.IntegerField(min_value=0, max_value=10000)
    action = serializers.ChoiceField(choices=["pump", "collect"])
    count = serializers.IntegerField(min_value=0, max_value=100000, help_text="the pump's number, or pumps banked")


@extend_schema_serializer(component_name="PumpConfirmed")
class ConfirmOut(serializers.Serializer):
    balloon = serializers.IntegerField()
    pumps = serializers.IntegerField()
    popped = serializers.BooleanField()
    collected = serializers.BooleanField()


CONFIRMS_PER_MINUTE = 600  # ten a second: above any person's pumping, below a script's flood


class GameSessionConfirmApi(_OwnSessionMixin, ParticipantAPIView):
    """POST /api/v1/game/sessions/{id}/confirm/ — the server says whether a pump bursts (server mode)."""

    @extend_schema(
        summary="Ask the server whether a pump bursts the balloon (server mode)",
        request=ConfirmIn,
        responses={200: ConfirmOut, 400: _ERR, 401: _ERR, 404: _ERR, 409: _ERR, 429: _ERR},
    )
    def post(self, request: Request, session_id: Any) -> Response:
        refuse_over_limit(
            f"games:confirm:{connection.schema_name}:{self.participant.pk}",
            limit=CONFIRMS_PER_MINUTE,
            window=60,
            message="Too many pumps a minute; retry later.",
        )
        data = ConfirmIn(data=request.data)
        data.is_valid(raise_exception=True)
        answer = confirm_action(
            session=self.own_session(session_id),
            balloon_index=data.validated_data["balloon"],
            action=data.validated_data["action"],
            count=data.validated_data["count"],
        )
        return Response(ConfirmOut(answer).data)


class GameSessionCompleteApi(_OwnSessionMixin, ParticipantAPIView):
    """POST /api/v1/game/sessions/{id}/complete/ — 202; metrics and traits follow asynchronously."""

    @extend_schema(
        summary="Finish your game session",
        request=None,
        responses={202: SessionStatusOut, 401: _ERR, 404: _ERR, 409: _ERR},
    )
    def post(self, request: Request, session_id: Any) -> Response:
        session = session_complete(session=self.own_session(session_id))
        return Response(SessionStatusOut(session_status_body(session)).data, status=status.HTTP_202_ACCEPTED)


def session_status_body(session: GameSession) -> dict[str, Any]:
    flags = dict(session.quality_flags or {})
    if is_server_confirmed(session.config) and not session.is_closed:
        # Violations are counted against the hidden schedule: posting pumps and watching them appear
        # would find each explosion point (#18 finding 5). The researcher sees them; the player not yet.
        flags.pop("schedule_violations", None)
    return {
        "session_id": str(session.pk),
        "status": session.status,
        "event_count": session.event_count,
        "max_seq": session.max_seq,
        "rejected_count": session.rejected_count,
        "quality_flags": flags,
        "progress": session_progress(session=session),
    }


class GameSessionDetailApi(_OwnSessionMixin, ParticipantAPIView):
    """GET /api/v1/game/sessions/{id}/ — status, counts, quality flags and resume state."""

    @extend_schema(summary="Get your game session's status", responses={200: SessionStatusOut, 401: _ERR, 404: _ERR})
    def get(self, request: Request, session_id: Any) -> Response:
        return Response(SessionStatusOut(session_status_body(self.own_session(session_id))).data)


class EventSchemaApi(APIView):
    """GET /api/v1/game/event-schema/ — the bart-events/1 JSON Schema (public)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get the JSON Schema of game events",
        responses={200: OpenApiResponse(description=f"JSON Schema of {EVENT_SCHEMA_NAME}")},
    )
    def get(self, request: Request) -> Response:
        response = Response(load_schema())
        response["X-Schema-Revision"] = SCHEMA_REVISION
        return response


def event_schema_file(request: HttpRequest) -> FileResponse:
    """The schema file itself, for linking (e.g. /game/schemas/bart-events-1.json)."""
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
