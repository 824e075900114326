"""OpenAPI schema and browsable docs, on every host: each host's schema describes its own API."""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

import core.openapi_extensions  # noqa: F401  (registers the participant bearer scheme)


class HostSchemaView(SpectacularAPIView):
    """The schema of the URLconf this host is routed to (drf-spectacular would use ROOT_URLCONF,
    i.e. the study API, on the platform host too)."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)  # the schema endpoint does not describe itself
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.urlconf = getattr(request, "urlconf", None) or self.urlconf
        return super().get(request, *args, **kwargs)


# The split view loads its start-up script from a URL (no inline script under our CSP), and our
# template (templates/drf_spectacular/swagger_ui.html) takes the page's styles from a stylesheet.
_swagger = SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[AllowAny])

urlpatterns = [
    path("api/schema/", HostSchemaView.as_view(), name="schema"),
    path("api/docs/", _swagger, name="api-docs"),
]

handlers = {
    "handler400": "research_platform.error_views.bad_request",
    "handler403": "research_platform.error_views.forbidden",
    "handler404": "research_platform.error_views.not_found",
    "handler500": "research_platform.error_views.server_failure",
}
