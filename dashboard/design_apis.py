"""Researcher API of the dashboard's design panels (viewer and up, like /dashboard/): the study's
design (versions, conditions, counts), test-retest reliability and convergent validity.

GET /api/v1/study/design/, /api/v1/study/reliability/, /api/v1/study/validity/; each takes
`include_pilots` (default false). The numbers are dashboard/design_selectors.py's, the statistics
traits/reliability.py and traits/validity.py (docs/dashboard.md, docs/reliability-validity.md).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from dashboard import design_selectors
from dashboard.export_formats import parse_flag
from tenants.permissions import StudyAPIView

_PILOTS = OpenApiParameter(
    "include_pilots", bool, required=False, description="Keep pilot participants (default false: left out)."
)


def _include_pilots(request: Request) -> bool:
    value = request.query_params.get("include_pilots")
    if value is None:
        return False
    try:
        return parse_flag(value)
    except ValueError:
        raise ApplicationError(
            "invalid",
            "The options are not valid.",
            details={"include_pilots": ["Must be true or false."]},
            status_code=400,
        ) from None


class ConditionOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField(help_text="participants in this version and condition")


class VersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    sessions_required = serializers.IntegerField()
    min_gap_hours = serializers.IntegerField()
    participants = serializers.IntegerField()
    conditions = ConditionOutput(many=True)


class DesignOutput(serializers.Serializer):
    live_version = serializers.IntegerField(allow_null=True)
    sessions_required = serializers.IntegerField(allow_null=True, help_text="sessions of the live version")
    participants = serializers.IntegerField()
    include_pilots = serializers.BooleanField()
    versions = VersionOutput(many=True)


class IccRowOutput(serializers.Serializer):
    group = serializers.ChoiceField(choices=["metric", "trait"])
    key = serializers.CharField()
    label = serializers.CharField()
    icc = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField(help_text="participants with both sessions")
    excluded = serializers.IntegerField(help_text="participants with only one of the two sessions")
    p_value = serializers.FloatField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    band = serializers.CharField(help_text="Koo & Li (2016) band of the estimate; empty when none")
    plain = serializers.CharField()


class ReliabilityOutput(serializers.Serializer):
    version = serializers.CharField(help_text="RELIABILITY_VERSION of traits/reliability.py")
    kind = serializers.CharField()
    sessions = serializers.ListField(child=serializers.IntegerField())
    sessions_required = serializers.IntegerField()
    min_n = serializers.IntegerField()
    include_pilots = serializers.BooleanField()
    available = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    rows = IccRowOutput(many=True)


class CorrelationRowOutput(serializers.Serializer):
    trait = serializers.CharField()
    trait_label = serializers.CharField()
    questionnaire = serializers.CharField()
    questionnaire_title = serializers.CharField()
    level = serializers.ChoiceField(choices=["scale", "subscale"])
    scale = serializers.CharField()
    scale_label = serializers.CharField()
    r = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField(help_text="participants with both a trait value and a scale score")
    p_value = serializers.FloatField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    size = serializers.CharField(help_text="Cohen (1988) size of r; empty when none")
    plain = serializers.CharField()


class ValidityOutput(serializers.Serializer):
    version = serializers.CharField(help_text="VALIDITY_VERSION of traits/validity.py")
    method = serializers.CharField()
    interval = serializers.CharField()
    min_n = serializers.IntegerField()
    include_pilots = serializers.BooleanField()
    rows = CorrelationRowOutput(many=True)


class _DesignApi(StudyAPIView):
    required_study_perm = "view_aggregate"

    def answer(self, request: Request, serializer: type[serializers.Serializer], data: dict[str, Any]) -> Response:
        return Response(serializer(data).data)


class StudyDesignApi(_DesignApi):
    @extend_schema(
        summary="The study's design: flow versions, their conditions and participants in each",
        parameters=[_PILOTS],
        responses={200: DesignOutput, 400: None},
    )
    def get(self, request: Request) -> Response:
        data = design_selectors.design_summary(include_pilots=_include_pilots(request))
        return self.answer(request, DesignOutput, data)


class StudyReliabilityApi(_DesignApi):
    @extend_schema(
        summary="Test-retest ICC(2,1) of each session metric and trait (sessions 1 and 2)",
        parameters=[_PILOTS],
        responses={200: ReliabilityOutput, 400: None},
        description="Per participant the first processed game session of study session 1 and of session 2; "
        "participants with only one are left out (listwise). 95 % interval of McGraw & Wong (1996).",
    )
    def get(self, request: Request) -> Response:
        data = design_selectors.reliability_summary(include_pilots=_include_pilots(request))
        return self.answer(request, ReliabilityOutput, data)


class StudyValidityApi(_DesignApi):
    @extend_schema(
        summary="Pearson's r of each trait with each questionnaire scale and subscale",
        parameters=[_PILOTS],
        responses={200: ValidityOutput, 400: None},
        description="Per participant the trait value of their first processed game session and the score of "
        "their first submitted response of each questionnaire; 95 % Fisher-z interval.",
    )
    def get(self, request: Request) -> Response:
        data = design_selectors.validity_summary(include_pilots=_include_pilots(request))
        return self.answer(request, ValidityOutput, data)
