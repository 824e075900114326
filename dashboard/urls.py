"""Researcher pages and exports on a study host: `urlpatterns` (pages), `api_urlpatterns` (/api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from dashboard import manage_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/", manage_views.StudySettingsPage.as_view(), name="study-manage"),
    path("manage/members/", manage_views.MembersPage.as_view(), name="study-manage-members"),
]
api_urlpatterns: list[URLPattern | URLResolver] = []
