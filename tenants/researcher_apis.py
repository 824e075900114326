"""Researcher API of the tenants app: a study's members (platform host), and the base of the study views.

The study resource itself (list, create, details, the current study) carries the game's settings,
which live in the study's schema: it is dashboard/researcher_apis.py, the layer above tenants and games.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError
from tenants.membership import membership_grant, membership_revoke
from tenants.models import Study
from tenants.permissions import StudyAPIView
from tenants.roles import CUSTOM_ROLE, ROLES
from tenants.selectors import membership_list, study_get, user_get


class PlatformStudyAPIView(StudyAPIView):
    """A study named by the URL's slug (platform host) instead of by the host name."""

    def get_scoped_study(self) -> Study | None:
        return study_get(slug=self.kwargs.get("slug", ""))


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
            acting_user=request.user,
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
        membership_revoke(
            study=self.study, user=self._member(data.validated_data["username"]), acting_user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
