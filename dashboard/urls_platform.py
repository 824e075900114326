"""Platform-host URLs of the dashboard app: the front door ("My studies") and creating a study
(`urlpatterns`), and the study resource of the API (`api_urlpatterns`, under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from dashboard import home_views, study_apis

urlpatterns: list[URLPattern | URLResolver] = [*home_views.urlpatterns]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("studies/", study_apis.StudyListApi.as_view(), name="study-list"),
    path("studies/<str:slug>/", study_apis.StudyDetailApi.as_view(), name="study-detail"),
]
