"""API tokens for researchers: obtain (with lockout after repeated failures) and revoke.

Tokens are django-rest-knox's (tenants/credentials.py): a new one per login (per device), kept as
a digest with an expiry; DELETE revokes the token it is sent with, DELETE ?all=1 every token.
"""

from __future__ import annotations

from axes.conf import settings as axes_settings
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError, error_body
from tenants.credentials import api_token_issue, api_tokens_revoke


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' lockout answer: the API's error shape with 429 and Retry-After, or a page."""
    retry = _cooloff_seconds()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body("locked_out", "Too many failed attempts; try again later.", {"retry_after_seconds": retry}),
            status=429,
        )
    else:
        response = HttpResponse(render_to_string("tenants/locked_out.html", {"retry_minutes": retry // 60}), status=429)
    response["Retry-After"] = str(retry)
    return response


def _cooloff_seconds() -> int:
    cooloff = axes_settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, int | float):
        return int(cooloff * 3600)
    return 3600


class TokenApi(APIView):
    """POST: trade a username and password for a new API token. DELETE: revoke this (or every) token."""

    authentication_classes = [TokenAuthentication]
    throttle_scope = "login"

    # Named: TokenApi and StudyListApi both nest an InputSerializer, one "InputRequest" component otherwise.
    @extend_schema_serializer(component_name="TokenCredentials")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    @extend_schema_serializer(component_name="TokenOut")  # the component's name before it was a class
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

    def get_permissions(self) -> list:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Get an API token for a username and password",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            401: OpenApiResponse(description="Username or password is wrong (`invalid_credentials`)."),
            429: OpenApiResponse(description="Too many failed attempts: the account is locked for a while."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request=request._request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except AxesBackendPermissionDenied:
            user = None
        if getattr(request._request, "axes_locked_out", False):
            # AxesMiddleware turns this into lockout_response(); say the same here for clarity.
            return lockout_response(request._request)  # type: ignore[return-value]
        if user is None or not user.is_active:
            raise ApplicationError(
                "invalid_credentials", "Username or password is wrong.", status_code=status.HTTP_401_UNAUTHORIZED
            )
        token = api_token_issue(user=user)
        expires = timezone.now() + knox_settings.TOKEN_TTL
        body = {"token": token, "expires_at": expires.isoformat(timespec="seconds")}
        return Response(self.OutputSerializer(body).data)

    @extend_schema(
        summary="Revoke this token (or every token of yours)",
        request=None,
        parameters=[OpenApiParameter("all", bool, description="revoke every token")],
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        if request.query_params.get("all") in ("1", "true"):
            api_tokens_revoke(user=request.user)
        else:
            request.auth.delete()  # this device's token only
        return Response(status=status.HTTP_204_NO_CONTENT)
