"""Researcher-facing study-host URLs owned by the tenants app (the current study, login pages)."""

from django.urls import URLPattern, URLResolver, path

from tenants import auth_apis, pages, researcher_apis

urlpatterns: list[URLPattern | URLResolver] = [*pages.urlpatterns]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("study/", researcher_apis.CurrentStudyApi.as_view(), name="current-study"),
    # Revoking a token works on any host the token is used on.
    path("auth/token/", auth_apis.TokenApi.as_view(), name="auth-token"),
]
