"""URLs of the audit app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
api_urlpatterns: list[URLPattern | URLResolver] = []
