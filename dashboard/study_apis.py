"""Researcher API of the study resource: list and create (platform host), details, the current study.

A study's response and its create/change bodies carry its game settings, which live in the study's
own schema (games.GameSettings) while the study row lives in public; the views that span both are
here, above tenants and games (#19). A study's members are tenants/apis.py.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Q
from django_tenants.utils import tenant_context
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from dashboard.services import study_create_with_settings
from games.selectors import game_config_current
from games.services import game_settings_update
from tenants.apis import PlatformStudyView
from tenants.models import Study, StudyMembership
from tenants.permissions import StudyAPIView, can_create_studies
from tenants.roles import CUSTOM_ROLE
from tenants.services import StudyError, study_update


class StudyOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField()
    game_config = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_game_config(self, study: Study) -> dict[str, Any]:
        # Read in the study's schema: on the platform host the request runs in public.
        with tenant_context(study):
            return game_config_current()


def _raise(exc: StudyError) -> NoReturn:
    raise ApplicationError(exc.code, exc.message, details=exc.details) from exc


class StudyListApi(APIView):
    """Studies the caller holds a role on (every study for platform admins); create a study."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    # Named: TokenApi and StudyListApi both nest an InputSerializer, one "InputRequest" component otherwise.
    @extend_schema_serializer(component_name="StudyCreate")
    class InputSerializer(serializers.Serializer):
        slug = serializers.CharField(max_length=40)
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        game = serializers.JSONField(required=False, default=None)

    class ListItemSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        status = serializers.CharField()
        url = serializers.CharField()
        role = serializers.CharField()

    @extend_schema(summary="List the studies you hold a role on", responses=ListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = request.user
        roles = dict(StudyMembership.objects.filter(user=user).values_list("study_id", "role"))
        if user.is_superuser:
            studies = Study.objects.all()
        else:
            studies = Study.objects.filter(Q(studyuserobjectpermission__user=user) | Q(pk__in=list(roles))).distinct()
        items = [
            {
                "slug": s.slug,
                "title": s.title,
                "status": s.status,
                "url": s.url,
                "role": roles.get(s.pk) or ("platform_admin" if user.is_superuser else CUSTOM_ROLE),
            }
            for s in studies.order_by("slug")
        ]
        return Response(items)

    @extend_schema(
        summary="Create a study (platform admins)", request=InputSerializer, responses={201: StudyOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        if not can_create_studies(request.user):
            raise ApplicationError(
                "permission_denied", "Only study administrators may create studies.", status_code=403
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            study = study_create_with_settings(
                acting_user=request.user,
                slug=data.validated_data["slug"],
                title=data.validated_data["title"],
                description=data.validated_data["description"],
                game_config=data.validated_data["game"],
            )
        except StudyError as exc:
            _raise(exc)
        return Response(StudyOutputSerializer(study).data, status=status.HTTP_201_CREATED)


class StudyDetailApi(PlatformStudyView):
    required_study_perm = {"GET": "view_study", "PATCH": "change_settings"}

    class PatchSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        status = serializers.ChoiceField(choices=["draft", "piloting", "recruiting", "closed"], required=False)
        game = serializers.JSONField(required=False)

    @extend_schema(summary="Get a study's details", responses=StudyOutputSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(StudyOutputSerializer(self.study).data)

    @extend_schema(
        summary="Change a study's title, status or game settings",
        request=PatchSerializer,
        responses=StudyOutputSerializer,
    )
    def patch(self, request: Request, slug: str) -> Response:
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        game = fields.pop("game", None)
        try:
            # One change: a refused game configuration leaves the title and status as they were.
            with transaction.atomic():
                study = study_update(study=self.study, **fields)
                if game is not None:
                    with tenant_context(study):
                        game_settings_update(acting_user=request.user, config=game)
        except StudyError as exc:
            _raise(exc)
        return Response(StudyOutputSerializer(study).data)


class CurrentStudyApi(StudyAPIView):
    """GET /api/v1/study/ on a study host: the study behind this host."""

    required_study_perm = "view_study"

    @extend_schema(summary="Get the study this host serves", responses=StudyOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(StudyOutputSerializer(self.study).data)
