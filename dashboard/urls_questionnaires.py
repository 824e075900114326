"""The questionnaire pages of a study host (managers): list and import, authoring, preview."""

from django.urls import URLPattern, path

from dashboard import questionnaire_views as views

questionnaire_urlpatterns: list[URLPattern] = [
    path("manage/questionnaires/", views.QuestionnairesPage.as_view(), name="study-questionnaires"),
    path("manage/questionnaires/new/", views.QuestionnaireStart.as_view(), name="study-questionnaire-new"),
    path("manage/questionnaires/draft/", views.QuestionnaireDraftPage.as_view(), name="study-questionnaire-draft"),
    path(
        "manage/questionnaires/<slug:key>/edit/",
        views.QuestionnaireStart.as_view(),
        name="study-questionnaire-edit",
    ),
    path(
        "manage/questionnaires/<slug:key>/preview/",
        views.QuestionnairePreview.as_view(),
        name="study-questionnaire-preview",
    ),
]
