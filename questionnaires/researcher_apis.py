"""Researcher reads of the questionnaires on a study host (study permission ``export_data``): the study's
questionnaires with their versions, and the submitted responses with their scores.

No free-text value leaves through these endpoints: a response's ``answers`` hold only the items that
are not free text (docs/privacy.md); free text is an export's, asked for explicitly. GET
/api/v1/questionnaires/responses/ shares its path with the participants' POST (start the questionnaire
due), so ``QuestionnaireResponsesApi`` hands each method to the view that owns its rules.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.openapi_extensions import paginated
from questionnaires.apis import _ERR, ResponseOut, ResponseStartApi
from questionnaires.models import Questionnaire, QuestionnaireResponse
from questionnaires.selectors import questionnaire_versions_all, responses_for_researchers
from tenants.permissions import StudyAPIView

FREE_TEXT_TYPES = frozenset({"text"})


class QuestionnaireVersionOut(serializers.Serializer):
    version = serializers.IntegerField()
    title = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the canonical definition: what was shown, exactly")
    source = serializers.CharField(help_text='"library:<scale key>" or "custom"')
    definition_schema = serializers.CharField()
    items = serializers.IntegerField(help_text="Number of items")
    scales = serializers.ListField(child=serializers.CharField(), help_text="Scale and subscale keys")
    export_free_text = serializers.BooleanField(help_text="Whether its free-text answers may be exported at all")
    created_at = serializers.DateTimeField()


class QuestionnaireOut(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField(help_text="The latest version's title")
    latest_version = serializers.IntegerField()
    responses_submitted = serializers.IntegerField(help_text="Submitted responses over all versions, pilots included")
    versions = QuestionnaireVersionOut(many=True, help_text="Newest first")


class QuestionnaireListOut(serializers.Serializer):
    results = QuestionnaireOut(many=True)


class QuestionnaireScaleScoreOut(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    answered = serializers.IntegerField()
    items = serializers.IntegerField()
    reason = serializers.CharField(allow_null=True)


class ResponseScoresOut(serializers.Serializer):
    version = serializers.CharField(help_text="Scoring version")
    scales = serializers.DictField(child=QuestionnaireScaleScoreOut())
    subscales = serializers.DictField(child=QuestionnaireScaleScoreOut())
    attention_checks = inline_serializer(
        "QuestionnaireAttentionChecks",
        {
            "passed": serializers.IntegerField(),
            "failed": serializers.IntegerField(),
            "items": serializers.ListField(child=serializers.DictField()),
        },
    )


class SubmittedResponseOut(serializers.Serializer):
    response_id = serializers.UUIDField()
    participant_code = serializers.CharField()
    questionnaire = serializers.CharField(help_text="Questionnaire key")
    questionnaire_version = serializers.IntegerField()
    questionnaire_sha256 = serializers.CharField()
    flow_version = serializers.IntegerField()
    flow_session = serializers.IntegerField()
    flow_step = serializers.CharField()
    condition = serializers.CharField()
    pilot = serializers.BooleanField()
    started_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField()
    scoring_version = serializers.CharField()
    scores = ResponseScoresOut()
    answers = serializers.DictField(help_text="Answers by item key, free-text items left out")


def _version_body(row: Questionnaire) -> dict[str, Any]:
    definition = row.definition or {}
    scales = [
        key
        for scale in definition.get("scales", [])
        for key in (scale["key"], *(sub["key"] for sub in scale.get("subscales", [])))
    ]
    return {
        "version": row.version,
        "title": row.title,
        "sha256": row.sha256,
        "source": row.source,
        "definition_schema": row.definition_schema,
        "items": len(definition.get("items", [])),
        "scales": scales,
        "export_free_text": bool(definition.get("export_free_text")),
        "created_at": row.created_at,
    }


class QuestionnaireListApi(StudyAPIView):
    """GET /api/v1/questionnaires/ — the study's questionnaires by key, each with every version (one query)."""

    required_study_perm = "export_data"

    @extend_schema(
        tags=["questionnaires"],
        summary="List the study's questionnaires with their versions",
        responses={200: QuestionnaireListOut, 403: None, 404: None},
    )
    def get(self, request: Request) -> Response:
        grouped: dict[str, list[Questionnaire]] = {}
        for row in questionnaire_versions_all():
            grouped.setdefault(row.key, []).append(row)
        results = [
            {
                "key": key,
                "title": rows[0].title,
                "latest_version": rows[0].version,
                "responses_submitted": sum(getattr(r, "submitted_count", 0) for r in rows),
                "versions": [_version_body(r) for r in rows],
            }
            for key, rows in grouped.items()
        ]
        return Response(QuestionnaireListOut({"results": results}).data)


def _answers_without_free_text(response: QuestionnaireResponse) -> dict[str, Any]:
    free = {
        i["key"]
        for i in response.questionnaire.definition.get("items", [])
        if i.get("type") in FREE_TEXT_TYPES or i.get("contains_free_text") is True
    }
    return {k: v for k, v in (response.answers or {}).items() if k not in free}


def _response_body(response: QuestionnaireResponse) -> dict[str, Any]:
    scores = response.scores or {}
    return {
        "response_id": response.pk,
        "participant_code": response.participant.participant_code,
        "questionnaire": response.questionnaire.key,
        "questionnaire_version": response.questionnaire.version,
        "questionnaire_sha256": response.questionnaire.sha256,
        "flow_version": response.flow_version,
        "flow_session": response.flow_session,
        "flow_step": response.flow_step,
        "condition": response.condition,
        "pilot": response.participant.pilot,
        "started_at": response.started_at,
        "submitted_at": response.submitted_at,
        "scoring_version": response.scoring_version,
        "scores": {
            "version": scores.get("version", response.scoring_version),
            "scales": scores.get("scales", {}),
            "subscales": scores.get("subscales", {}),
            "attention_checks": scores.get("attention_checks", {"passed": 0, "failed": 0, "items": []}),
        },
        "answers": _answers_without_free_text(response),
    }


_LIST_PARAMETERS = [
    OpenApiParameter("questionnaire", str, description="questionnaire key"),
    OpenApiParameter("participant", str, description="participant code"),
    OpenApiParameter("include_pilots", bool, description="keep pilot participants' responses (default false)"),
]


def _flag(value: str | None) -> bool:
    if value is None or value == "":
        return False
    if value.strip().lower() in ("true", "1"):
        return True
    if value.strip().lower() in ("false", "0"):
        return False
    raise ApplicationError(
        "invalid", "The filters are not valid.", details={"include_pilots": ["Must be true or false."]}
    )


class ResponseListApi(StudyAPIView):
    """GET /api/v1/questionnaires/responses/ — submitted responses with their scores, oldest first, paginated.

    Reached through QuestionnaireResponsesApi below, which owns the path.
    """

    required_study_perm = "export_data"

    @extend_schema(
        tags=["questionnaires"],
        summary="List submitted questionnaire responses with their scores",
        parameters=_LIST_PARAMETERS,
        responses={200: paginated("PaginatedQuestionnaireResponseList", SubmittedResponseOut)},
    )
    def get(self, request: Request) -> Response:
        rows = responses_for_researchers(
            questionnaire_key=request.query_params.get("questionnaire") or None,
            participant_code=request.query_params.get("participant") or None,
            include_pilots=_flag(request.query_params.get("include_pilots")),
        )
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        return paginator.get_paginated_response(SubmittedResponseOut([_response_body(r) for r in page], many=True).data)


class QuestionnaireResponsesApi(APIView):
    """/api/v1/questionnaires/responses/: POST is a participant starting the questionnaire due, GET the
    researchers' list of submitted responses (``export_data``); each is handed to the view owning its rules."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Which view owns each method (tests/security/test_csrf.py checks the owner's cookie rules).
    method_views: ClassVar[dict[str, type[APIView]]] = {}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            return _START(request, *args, **kwargs)
        return _LIST(request, *args, **kwargs)

    # For the OpenAPI schema only: dispatch() never reaches these.
    @extend_schema(
        tags=["questionnaires"],
        summary="List submitted questionnaire responses with their scores",
        parameters=_LIST_PARAMETERS,
        responses={
            200: paginated("PaginatedQuestionnaireResponseList", SubmittedResponseOut),
            403: None,
            404: None,
        },
        auth=[{"knoxApiToken": []}, {"cookieAuth": []}],
        operation_id="v1_questionnaires_responses_list",
    )
    def get(self, request: Request) -> Response:  # pragma: no cover
        raise NotImplementedError

    @extend_schema(
        tags=["participant"],
        summary="Start or resume the questionnaire due in your flow",
        request=None,
        responses={201: ResponseOut, 200: ResponseOut, 401: _ERR, 403: _ERR, 409: _ERR},
        auth=[{"participantBearer": []}],
        operation_id="v1_questionnaires_responses_create",
    )
    def post(self, request: Request) -> Response:  # pragma: no cover
        raise NotImplementedError


_START = ResponseStartApi.as_view()
_LIST = ResponseListApi.as_view()
QuestionnaireResponsesApi.method_views = {"post": ResponseStartApi, "get": ResponseListApi}
