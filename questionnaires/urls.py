"""URLs of the questionnaires app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from questionnaires import apis, researcher_apis
from questionnaires.views import questionnaire_page

urlpatterns: list[URLPattern | URLResolver] = [
    path("questionnaire/", questionnaire_page, name="questionnaire"),
    path(
        "questionnaires/schemas/questionnaire-events-1.json",
        apis.event_schema_file,
        name="questionnaire-event-schema-file",
    ),
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("questionnaires/", researcher_apis.QuestionnaireListApi.as_view(), name="questionnaires"),
    # POST: a participant starts the questionnaire due; GET: researchers list submitted responses.
    path(
        "questionnaires/responses/",
        researcher_apis.QuestionnaireResponsesApi.as_view(),
        name="questionnaire-responses",
    ),
    path(
        "questionnaires/responses/<uuid:response_id>/", apis.ResponseDetailApi.as_view(), name="questionnaire-response"
    ),
    path(
        "questionnaires/responses/<uuid:response_id>/events/",
        apis.ResponseEventsApi.as_view(),
        name="questionnaire-response-events",
    ),
    path(
        "questionnaires/responses/<uuid:response_id>/submit/",
        apis.ResponseSubmitApi.as_view(),
        name="questionnaire-response-submit",
    ),
]
