"""Participant questionnaire API on a study host: start (or resume) the questionnaire due, send answer
events, submit. Same gate as the game's (ParticipantAPIView: token or cookie + CSRF, consent, 409 after
withdrawal); someone else's response is 404.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from consent.gate import ParticipantAPIView
from core.errors import ApplicationError
from questionnaires.event_schema import EVENT_SCHEMA_NAME, SCHEMA_PATH
from questionnaires.flow_step import due_questionnaire_step, parse_ref
from questionnaires.models import QuestionnaireResponse
from questionnaires.selectors import (
    answers_opened,
    questionnaire_get,
    response_answers_so_far,
    response_get_for_participant,
)
from questionnaires.services import DueQuestionnaire, response_ingest, response_start, response_submit

_ERR = OpenApiResponse(description='{"error": {"code", "message", "details"}}')
NEXT_URL = "/flow/"


class ResponseOut(serializers.Serializer):
    response_id = serializers.UUIDField()
    status = serializers.CharField()
    questionnaire = serializers.CharField(help_text="key@version")
    event_schema = serializers.CharField()
    answers = serializers.DictField(help_text="each item's last answer so far")
    next_seq = serializers.IntegerField()
    next_url = serializers.CharField(allow_null=True, help_text="where the browser goes once submitted")


class BatchOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.ListField(child=serializers.DictField())


def response_body(response: QuestionnaireResponse) -> dict[str, Any]:
    return {
        "response_id": str(response.pk),
        "status": response.status,
        "questionnaire": f"{response.questionnaire.key}@{response.questionnaire.version}",
        "event_schema": response.event_schema,
        "answers": answers_opened(response=response, answers=response_answers_so_far(response=response)),
        "next_seq": (response.max_seq + 1) if response.max_seq is not None else 0,
        "next_url": NEXT_URL if response.status == QuestionnaireResponse.Status.SUBMITTED else None,
    }


def start_due(participant: Any) -> tuple[QuestionnaireResponse, bool]:
    """The response of the questionnaire step now due (409 ``no_questionnaire_due`` when none is)."""
    due = due_questionnaire_step(participant)
    if due is None:
        raise ApplicationError(
            "no_questionnaire_due", "No questionnaire is due now in this study's flow.", status_code=409
        )
    key, version = parse_ref(due.ref)
    questionnaire = questionnaire_get(key=key, version=version or 0)
    if questionnaire is None:  # a published flow names a version that was stored with it: never expected
        raise ApplicationError(
            "questionnaire_missing", f"The flow names {due.ref}, which is not stored.", status_code=409
        )
    return response_start(
        participant=participant,
        due=DueQuestionnaire(
            questionnaire=questionnaire,
            version=due.version,
            session_number=due.session_number,
            step_key=due.step_key,
            condition=due.condition,
        ),
    )


class ResponseStartApi(ParticipantAPIView):
    """POST /api/v1/questionnaires/responses/ — start (201) or resume (200) the questionnaire now due."""

    @extend_schema(
        summary="Start or resume the questionnaire due in your flow",
        request=None,
        responses={201: ResponseOut, 200: ResponseOut, 401: _ERR, 403: _ERR, 409: _ERR},
    )
    def post(self, request: Request) -> Response:
        response, created = start_due(self.participant)
        return Response(response_body(response), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class _OwnResponseMixin:
    participant: Any

    def own_response(self, response_id: Any) -> QuestionnaireResponse:
        response = response_get_for_participant(participant=self.participant, response_id=response_id)
        if response is None:
            raise ApplicationError("not_found", "No such questionnaire response.", status_code=404)
        return response


class ResponseDetailApi(_OwnResponseMixin, ParticipantAPIView):
    """GET /api/v1/questionnaires/responses/{id}/ — status and the answers stored so far."""

    @extend_schema(summary="Your questionnaire response", responses={200: ResponseOut})
    def get(self, request: Request, response_id: Any) -> Response:
        return Response(response_body(self.own_response(response_id)))


class ResponseEventsApi(_OwnResponseMixin, ParticipantAPIView):
    """POST /api/v1/questionnaires/responses/{id}/events/ — a batch of `questionnaire-events/1` events.

    Exactly once: an event whose event_id is stored already counts as a duplicate; every valid new
    event is kept even when others in the batch are refused (each refusal named with its code).
    """

    @extend_schema(
        summary="Send a batch of answer events",
        request=inline_serializer(
            "QuestionnaireBatch",
            {"events": serializers.ListField(child=serializers.DictField()), "sent_at": serializers.IntegerField()},
        ),
        responses={200: BatchOut, 400: _ERR, 401: _ERR, 404: _ERR, 409: _ERR, 413: _ERR},
    )
    def post(self, request: Request, response_id: Any) -> Response:
        response = self.own_response(response_id)
        data = request.data if isinstance(request.data, dict) else {}
        result = response_ingest(response=response, events=data.get("events"))
        return Response({"accepted": result.accepted, "duplicates": result.duplicates, "rejected": result.rejected})


class ResponseSubmitApi(_OwnResponseMixin, ParticipantAPIView):
    """POST /api/v1/questionnaires/responses/{id}/submit/ — score and finish (a retry answers the same)."""

    @extend_schema(
        summary="Submit your answers",
        request=None,
        responses={200: ResponseOut, 400: _ERR, 401: _ERR, 404: _ERR, 409: _ERR},
    )
    def post(self, request: Request, response_id: Any) -> Response:
        response = response_submit(response=self.own_response(response_id))
        return Response(response_body(response))


def event_schema_file(request: HttpRequest) -> FileResponse:
    """The `questionnaire-events/1` JSON Schema, as served to clients (public: it is the contract)."""
    response = FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
    response["X-Event-Schema"] = EVENT_SCHEMA_NAME
    return response
