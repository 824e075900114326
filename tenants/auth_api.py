"""API tokens for researchers: obtain (with lockout after repeated failures) and revoke."""

from __future__ import annotations

from axes.conf import settings as axes_settings
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from research_platform.errors import ApplicationError, error_body


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """django-axes' lockout answer: the API's error shape with 429 and Retry-After, or a page."""
    retry = _cooloff_seconds()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body("locked_out", "Too many failed attempts; try again later.", {"retry_after_seconds": retry}),
            status=429,
        )
    else:
        response = HttpResponse(
            render_to_string("tenants/locked_out.html", {"retry_minutes": retry // 60}), status=429
        )
    response["Retry-After"] = str(retry)
    return response


def _cooloff_seconds() -> int:
    cooloff = axes_settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, int | float):
        return int(cooloff * 3600)
    return 3600


class TokenApi(APIView):
    """POST: trade a username and password for an API token. DELETE: revoke the caller's token."""

    authentication_classes = [TokenAuthentication]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    def get_permissions(self) -> list:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
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
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
