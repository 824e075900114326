"""URLs of the traits app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from traits.apis import MyProfileApi
from traits.researcher_apis import ParticipantModelsApi, ParticipantTraitsApi, SessionMetricsApi, StudyFitsApi
from traits.views import results_page

urlpatterns: list[URLPattern | URLResolver] = [
    path("results/", results_page, name="results"),
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("me/profile/", MyProfileApi.as_view(), name="me-profile"),
    path("sessions/<uuid:session_id>/metrics/", SessionMetricsApi.as_view(), name="session-metrics"),
    path("participants/<str:code>/traits/", ParticipantTraitsApi.as_view(), name="participant-traits"),
    path("participants/<str:code>/models/", ParticipantModelsApi.as_view(), name="participant-models"),
    path("study-fits/", StudyFitsApi.as_view(), name="study-fits"),
]
