"""Platform-host URLs owned by the tenants app: `urlpatterns` (pages), `api_urlpatterns` (/api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from tenants import apis, auth_api, pages

urlpatterns: list[URLPattern | URLResolver] = [*pages.urlpatterns]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", auth_api.TokenApi.as_view(), name="auth-token"),
    path("studies/", apis.StudyListApi.as_view(), name="study-list"),
    path("studies/<str:slug>/", apis.StudyDetailApi.as_view(), name="study-detail"),
    path("studies/<str:slug>/members/", apis.MembersApi.as_view(), name="study-members"),
]
