"""Researcher-facing study-host URLs owned by the tenants app (study details, members)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
api_urlpatterns: list[URLPattern | URLResolver] = []
