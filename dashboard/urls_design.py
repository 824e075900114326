"""The design panels' researcher API (/api/v1/study/design/, reliability/, validity/): dashboard/design_apis.py."""

from django.urls import URLPattern, path

from dashboard import design_apis

design_api_urlpatterns: list[URLPattern] = [
    path("study/design/", design_apis.StudyDesignApi.as_view(), name="study-design"),
    path("study/reliability/", design_apis.StudyReliabilityApi.as_view(), name="study-reliability"),
    path("study/validity/", design_apis.StudyValidityApi.as_view(), name="study-validity"),
]
