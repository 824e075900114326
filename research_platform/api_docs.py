"""OpenAPI schema and browsable docs, on every host: each host's schema describes its own API."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
]

handlers = {
    "handler400": "research_platform.error_views.bad_request",
    "handler403": "research_platform.error_views.forbidden",
    "handler404": "research_platform.error_views.not_found",
    "handler500": "research_platform.error_views.server_failure",
}
