"""OpenAPI descriptions of the platform's own authentication schemes and paged lists (drf-spectacular).

Without them the schema omits how participants authenticate (a `check --deploy` warning), and
clients and the fuzzer cannot tell which endpoints take a participant's bearer token or page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.pagination import LimitOffsetPagination

# Component name of each paged response -> (default limit, maximum limit or None); the
# postprocessing hook (research_platform/openapi_hooks.py) documents limit/offset from it.
PAGINATED: dict[str, tuple[int, int | None]] = {}


class ParticipantBearerScheme(OpenApiAuthenticationExtension):
    target_class = "pseudonymization.authentication.ParticipantTokenAuthentication"
    name = "participantBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Study-scoped participant token from POST /api/v1/participants/ (valid on its study only).",
        }


def paginated(name: str, item: Any, pagination: type[LimitOffsetPagination] = LimitOffsetPagination) -> Any:
    """The schema of a LimitOffsetPagination page of ``item`` (an APIView's manual pagination is
    invisible to drf-spectacular, which would otherwise document a bare array). Pass the view's
    own ``pagination`` class when it is not DRF's default, so its limits are documented."""
    from django.conf import settings
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    PAGINATED[name] = (pagination.default_limit or settings.REST_FRAMEWORK["PAGE_SIZE"], pagination.max_limit)
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(help_text="Items in all pages together."),
            "next": serializers.URLField(allow_null=True, help_text="The next page; null on the last one."),
            "previous": serializers.URLField(allow_null=True, help_text="The previous page; null on the first one."),
            "results": item(many=True),
        },
    )
