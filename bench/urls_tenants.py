"""Study-host URLs for the benchmark only: production's, plus the naive per-event endpoint."""

from django.urls import path

from bench.naive import NaiveEventApi
from research_platform.urls_tenants import handler400, handler403, handler404, handler500  # noqa: F401
from research_platform.urls_tenants import urlpatterns as production_urlpatterns

urlpatterns = [
    *production_urlpatterns,
    path("bench/naive/sessions/<uuid:session_id>/events/", NaiveEventApi.as_view(), name="bench-naive-event"),
]
