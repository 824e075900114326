"""Researcher-facing study-host URLs owned by the tenants app (login pages, tokens); the current
study's API is the dashboard's (dashboard/researcher_apis.py)."""

from django.urls import URLPattern, URLResolver, path

from tenants import auth_apis, pages

urlpatterns: list[URLPattern | URLResolver] = [*pages.urlpatterns]
api_urlpatterns: list[URLPattern | URLResolver] = [
    # Revoking a token works on any host the token is used on.
    path("auth/token/", auth_apis.TokenApi.as_view(), name="auth-token"),
]
