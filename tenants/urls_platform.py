"""Platform-host URLs owned by the tenants app: `urlpatterns` (pages), `api_urlpatterns` (/api/v1/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
api_urlpatterns: list[URLPattern | URLResolver] = []
