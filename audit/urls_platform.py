"""Platform-host URLs of the audit app: compliance console pages and /api/v1/audit/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
api_urlpatterns: list[URLPattern | URLResolver] = []
