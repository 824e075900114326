"""URLs of a study host (the study's schema)."""

from django.urls import path

from research_platform.health import healthz
from research_platform.study_home import study_home

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", study_home, name="study-home"),
]
