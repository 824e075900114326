"""Platform-host URLs of the dashboard app: the front door ("My studies") and creating a study
(`urlpatterns`), and the study resource of the API (`api_urlpatterns`, under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from dashboard import home_views, researcher_apis

urlpatterns: list[URLPattern | URLResolver] = [*home_views.urlpatterns]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("studies/", researcher_apis.StudyListApi.as_view(), name="study-list"),
    path("studies/<str:slug>/", researcher_apis.StudyDetailApi.as_view(), name="study-detail"),
]
