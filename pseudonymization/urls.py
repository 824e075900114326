"""URLs of the pseudonymization app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from pseudonymization.researcher_apis import ReidentifyApi

urlpatterns: list[URLPattern | URLResolver] = []
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("participants/<str:code>/reidentify/", ReidentifyApi.as_view(), name="participant-reidentify"),
]
