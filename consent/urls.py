"""URLs of the consent app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from consent.apis import CurrentConsentApi, ParticipantCreateApi
from consent.views import study_home

urlpatterns: list[URLPattern | URLResolver] = [path("", study_home, name="study-home")]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("consent/", CurrentConsentApi.as_view(), name="consent-current"),
    path("participants/", ParticipantCreateApi.as_view(), name="participants"),
]
