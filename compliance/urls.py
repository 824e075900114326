"""URLs of the compliance app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from compliance import researcher_apis

urlpatterns: list[URLPattern | URLResolver] = []
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("audit/", researcher_apis.StudyAuditApi.as_view(), name="study-audit"),
    path("audit/checkpoints/", researcher_apis.StudyCheckpointsApi.as_view(), name="study-audit-checkpoints"),
]
