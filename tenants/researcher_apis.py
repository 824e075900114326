"""Researcher API about studies: list/create on the platform host, details and members per study."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from tenants.membership import membership_grant, membership_revoke
from tenants.models import Study
from tenants.permissions import StudyAPIView, can_create_studies
from tenants.roles import CUSTOM_ROLE, ROLES
from tenants.selectors import membership_list, study_get, study_list_for, user_get
from tenants.services import StudyError, study_create_as_manager, study_update


class StudyOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField()
    game_config = serializers.JSONField()
    created_at = serializers.DateTimeField()


def _raise(exc: StudyError) -> None:
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
        rows = [
            {"slug": s.slug, "title": s.title, "status": s.status, "url": s.url, "role": role}
            for s, role in study_list_for(user=request.user)
        ]
        return Response(self.ListItemSerializer(rows, many=True).data)

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
            study = study_create_as_manager(
                user=request.user,
                slug=data.validated_data["slug"],
                title=data.validated_data["title"],
                description=data.validated_data["description"],
                game_config=data.validated_data["game"],
            )
        except StudyError as exc:
            _raise(exc)
        return Response(StudyOutputSerializer(study).data, status=status.HTTP_201_CREATED)


class PlatformStudyAPIView(StudyAPIView):
    """A study named by the URL's slug (platform host) instead of by the host name."""

    def get_scoped_study(self) -> Study | None:
        return study_get(slug=self.kwargs.get("slug", ""))


class StudyDetailApi(PlatformStudyAPIView):
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
        try:
            study = study_update(study=self.study, game_config=fields.pop("game", None), **fields)
        except StudyError as exc:
            _raise(exc)
        return Response(StudyOutputSerializer(study).data)


class CurrentStudyApi(StudyAPIView):
    """GET /api/v1/study/ on a study host: the study behind this host."""

    required_study_perm = "view_study"

    @extend_schema(summary="Get the study this host serves", responses=StudyOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(StudyOutputSerializer(self.study).data)


class MembersApi(PlatformStudyAPIView):
    required_study_perm = "manage_members"

    class GrantSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=[*ROLES, CUSTOM_ROLE])
        permissions = serializers.ListField(child=serializers.CharField(), required=False)

    class RevokeSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)

    class MemberSerializer(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        role = serializers.CharField()
        granted_at = serializers.DateTimeField()

    # One answer for a name nobody has and a name that cannot be used, never echoing the name: the
    # members API must not tell which accounts exist (#18 finding 8).
    def _grantee(self, username: str) -> Any:
        user = user_get(username=username, active_only=True)
        if user is None:
            raise ApplicationError("member_unavailable", "No active account of that name can be given a role.")
        return user

    def _member(self, username: str) -> Any:
        user = user_get(username=username)
        if user is None:
            raise ApplicationError("not_a_member", "That user holds no role on this study.", status_code=404)
        return user

    @extend_schema(summary="List a study's members and their roles", responses=MemberSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        return Response(self.MemberSerializer(membership_list(study=self.study), many=True).data)

    @extend_schema(summary="Grant a role on a study", request=GrantSerializer, responses={201: MemberSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = self.GrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_grant(
            study=self.study,
            user=self._grantee(data.validated_data["username"]),
            role=data.validated_data["role"],
            permissions=data.validated_data.get("permissions"),
            granted_by=request.user,
        )
        return Response(self.MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke a member's role",
        request=RevokeSerializer,
        # drf-spectacular leaves a DELETE body out; the view still validates one.
        responses={204: None, 400: None},
    )
    def delete(self, request: Request, slug: str) -> Response:
        data = self.RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership_revoke(study=self.study, user=self._member(data.validated_data["username"]), revoked_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
