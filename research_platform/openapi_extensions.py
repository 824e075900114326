"""OpenAPI descriptions of the platform's own authentication schemes (drf-spectacular extensions).

Without them the schema omits how participants authenticate (a `check --deploy` warning), and
clients and the fuzzer cannot tell which endpoints take a participant's bearer token.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ParticipantBearerScheme(OpenApiAuthenticationExtension):
    target_class = "pseudonymization.authentication.ParticipantTokenAuthentication"
    name = "participantBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Study-scoped participant token from POST /api/v1/participants/ (valid on its study only).",
        }


def paginated(name: str, item: Any) -> Any:
    """The schema of a LimitOffsetPagination page of ``item`` (an APIView's manual pagination is
    invisible to drf-spectacular, which would otherwise document a bare array)."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
