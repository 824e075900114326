"""Platform-host URLs owned by the tenants app: `urlpatterns` (pages), `api_urlpatterns` (/api/v1/).

The study resource itself (/api/v1/studies/, /api/v1/studies/<slug>/) is dashboard/urls_platform.py.
"""

from django.urls import URLPattern, URLResolver, path

from tenants import auth_apis, pages, researcher_apis

urlpatterns: list[URLPattern | URLResolver] = [*pages.urlpatterns]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", auth_apis.TokenApi.as_view(), name="auth-token"),
    path("studies/<str:slug>/members/", researcher_apis.MembersApi.as_view(), name="study-members"),
]
