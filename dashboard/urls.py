"""Researcher pages and exports on a study host: `urlpatterns` (pages), `api_urlpatterns` (/api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from dashboard import manage_views, model_views, researcher_apis, setup_views, views
from dashboard.urls_design import design_api_urlpatterns
from dashboard.urls_flow import flow_urlpatterns
from dashboard.urls_questionnaires import questionnaire_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/", manage_views.StudySettingsPage.as_view(), name="study-manage"),
    path("manage/setup/", setup_views.SetupPage.as_view(), name="study-setup"),
    path("manage/preview/", setup_views.PreviewConsentPage.as_view(), name="study-preview"),
    path("manage/preview/game/", setup_views.PreviewGamePage.as_view(), name="study-preview-game"),
    path("manage/preview/done/", setup_views.PreviewDone.as_view(), name="study-preview-done"),
    path("manage/members/", manage_views.MembersPage.as_view(), name="study-manage-members"),
    *questionnaire_urlpatterns,  # /manage/questionnaires/
    path("dashboard/", views.DashboardPage.as_view(), name="dashboard-home"),
    path("dashboard/participants/", views.ParticipantsPage.as_view(), name="dashboard-participants"),
    path("dashboard/participants/<str:code>/", views.ParticipantPage.as_view(), name="dashboard-participant"),
    path("dashboard/exports/", views.ExportsPage.as_view(), name="dashboard-exports"),
    path("dashboard/study-fit/", model_views.StudyFitPage.as_view(), name="dashboard-study-fit"),
    *flow_urlpatterns,
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("study/", researcher_apis.CurrentStudyApi.as_view(), name="current-study"),
    path("export/", researcher_apis.ExportApi.as_view(), name="export"),
    path("export/jobs/", researcher_apis.ExportJobsApi.as_view(), name="export-jobs"),
    path("export/jobs/<uuid:job_id>/", researcher_apis.ExportJobApi.as_view(), name="export-job"),
    path(
        "export/jobs/<uuid:job_id>/download/",
        researcher_apis.ExportJobDownloadApi.as_view(),
        name="export-job-download",
    ),
]
api_urlpatterns += design_api_urlpatterns  # the design, reliability and validity panels' API
