"""Platform-host URLs owned by the tenants app: `urlpatterns` (pages), `api_urlpatterns` (/api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from tenants import auth_apis, pages, researcher_apis

urlpatterns: list[URLPattern | URLResolver] = [*pages.urlpatterns]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", auth_apis.TokenApi.as_view(), name="auth-token"),
    path("studies/", researcher_apis.StudyListApi.as_view(), name="study-list"),
    path("studies/<str:slug>/", researcher_apis.StudyDetailApi.as_view(), name="study-detail"),
    path("studies/<str:slug>/members/", researcher_apis.MembersApi.as_view(), name="study-members"),
]
