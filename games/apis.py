"""Participant game API on a study host: start a session, send event batches, complete, read status.

Authentication is the participant's bearer token or HttpOnly cookie (+ CSRF), through
ParticipantAPIView; someone else's session is 404, a closed session or a withdrawal 409.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import FileResponse, HttpRequest
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from games.event_schema import EVENT_SCHEMA_NAME, SCHEMA_PATH, SCHEMA_REVISION, load_schema
from games.models import GameSession
from games.selectors import session_get_for_participant, session_progress
from games.services import (
    MAX_BATCH_BYTES,
    check_batch_size,
    session_complete,
    session_ingest_for_participant,
    session_start,
)
from pseudonymization.api_base import ParticipantAPIView
from research_platform.errors import ApplicationError
from research_platform.ratelimit import count_hit

_ERR = OpenApiResponse(description='{"error": {"code", "message", "details"}}')


class BalloonOut(serializers.Serializer):
    index = serializers.IntegerField()
    color = serializers.CharField()
    max_pumps = serializers.IntegerField()
    explosion_point = serializers.IntegerField()


SessionStartOut = inline_serializer(
    "GameSessionStarted",
    {
        "session_id": serializers.UUIDField(),
        "status": serializers.CharField(),
        "event_schema": serializers.CharField(),
        "reward_per_pump": serializers.FloatField(),
        "currency": serializers.CharField(),
        "variant": serializers.CharField(),
        "resumed": serializers.BooleanField(),
        "balloons": BalloonOut(many=True),
        "progress": serializers.DictField(),
    },
)
SessionStatusOut = inline_serializer(
    "GameSessionStatus",
    {
        "session_id": serializers.UUIDField(),
        "status": serializers.CharField(),
        "event_count": serializers.IntegerField(),
        "max_seq": serializers.IntegerField(allow_null=True),
        "rejected_count": serializers.IntegerField(),
        "quality_flags": serializers.DictField(),
        "progress": serializers.DictField(),
    },
)
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
        "balloons": session.schedule,
        "progress": session_progress(session=session),
    }


class _OwnSessionMixin:
    def own_session(self, session_id: Any) -> GameSession:
        session = session_get_for_participant(participant=self.participant, session_id=session_id)  # type: ignore[attr-defined]
        if session is None:
            raise ApplicationError("not_found", "No such session.", status_code=404)
        return session


def _rate_limit(participant_id: int) -> None:
    """A fixed one-minute window per participant, counted in the shared cache (Redis in production)."""
    limit = int(getattr(settings, "GAME_EVENTS_RATE", 120))
    if limit <= 0:
        return
    window = int(time.time() // 60)
    key = f"games:rate:{connection.schema_name}:{participant_id}:{window}"
    count = count_hit(key, timeout=70)  # None: Redis unreachable, events are still taken (fails open)
    if count is not None and count > limit:
        retry_after = 60 - int(time.time() % 60)
        error = ApplicationError(
            "rate_limited",
            f"At most {limit} batches a minute; retry later.",
            details={"retry_after": retry_after},
            status_code=429,
        )
        error.retry_after = retry_after  # type: ignore[attr-defined]
        raise error


class GameSessionStartApi(ParticipantAPIView):
    """POST /api/v1/game/sessions/ — start (201) or resume (200) the participant's game session."""

    @extend_schema(
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
        session, created = session_start(participant=self.participant, client_info=dict(list(info.items())[:20]))
        return Response(
            session_start_body(session, resumed=not created),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class GameSessionEventsApi(_OwnSessionMixin, ParticipantAPIView):
    """POST /api/v1/game/sessions/{id}/events/ — a batch of events (see docs/event-schema.md)."""

    @extend_schema(
        request=BatchIn, responses={200: BatchOut, 400: _ERR, 401: _ERR, 404: _ERR, 409: _ERR, 413: _ERR, 429: _ERR}
    )
    def post(self, request: Request, session_id: Any) -> Response:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BATCH_BYTES:
            raise ApplicationError(
                "payload_too_large",
                f"A batch body holds at most {MAX_BATCH_BYTES} bytes.",
                details={"max_bytes": MAX_BATCH_BYTES},
                status_code=413,
            )
        _rate_limit(self.participant.pk)

        def read_batch() -> tuple[Any, int | None]:  # after the ownership check (see the service)
            body = request.data
            if not isinstance(body, dict) or "events" not in body:
                raise ApplicationError(
                    "malformed_batch", 'A batch is {"sent_at": ms, "events": [...]}.', status_code=400
                )
            check_batch_size(body["events"])
            sent_at = body.get("sent_at")
            if sent_at is not None and (isinstance(sent_at, bool) or not isinstance(sent_at, int) or sent_at < 0):
                raise ApplicationError(
                    "malformed_batch", "'sent_at' must be wall-clock milliseconds (an integer).", status_code=400
                )
            return body["events"], sent_at

        result = session_ingest_for_participant(
            participant=self.participant, session_id=session_id, read_batch=read_batch
        )
        return Response(result.as_dict())

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response


class GameSessionCompleteApi(_OwnSessionMixin, ParticipantAPIView):
    """POST /api/v1/game/sessions/{id}/complete/ — 202; metrics and traits follow asynchronously."""

    @extend_schema(request=None, responses={202: SessionStatusOut, 401: _ERR, 404: _ERR, 409: _ERR})
    def post(self, request: Request, session_id: Any) -> Response:
        session = session_complete(session=self.own_session(session_id))
        return Response(session_status_body(session), status=status.HTTP_202_ACCEPTED)


def session_status_body(session: GameSession) -> dict[str, Any]:
    return {
        "session_id": str(session.pk),
        "status": session.status,
        "event_count": session.event_count,
        "max_seq": session.max_seq,
        "rejected_count": session.rejected_count,
        "quality_flags": session.quality_flags,
        "progress": session_progress(session=session),
    }


class GameSessionDetailApi(_OwnSessionMixin, ParticipantAPIView):
    """GET /api/v1/game/sessions/{id}/ — status, counts, quality flags and resume state."""

    @extend_schema(responses={200: SessionStatusOut, 401: _ERR, 404: _ERR})
    def get(self, request: Request, session_id: Any) -> Response:
        return Response(session_status_body(self.own_session(session_id)))


class EventSchemaApi(APIView):
    """GET /api/v1/game/event-schema/ — the bart-events/1 JSON Schema (public)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiResponse(description=f"JSON Schema of {EVENT_SCHEMA_NAME}")})
    def get(self, request: Request) -> Response:
        response = Response(load_schema())
        response["X-Schema-Revision"] = SCHEMA_REVISION
        return response


def event_schema_file(request: HttpRequest) -> FileResponse:
    """The schema file itself, for linking (e.g. /game/schemas/bart-events-1.json)."""
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
