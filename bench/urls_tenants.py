"""Study-host URLs for the benchmark only: production's, plus the naive per-event endpoint."""

from django.urls import path

from research_platform.urls_tenants import handler400, handler403, handler404, handler500  # noqa: F401
from research_platform.urls_tenants import urlpatterns as production_urlpatterns

try:
    from bench.naive import NaiveEventApi
except ImportError:  # the games event model is not there yet
    NaiveEventApi = None  # type: ignore[assignment,misc]

urlpatterns = list(production_urlpatterns)
if NaiveEventApi is not None:
    urlpatterns.append(
        path("bench/naive/sessions/<uuid:session_id>/events/", NaiveEventApi.as_view(), name="bench-naive-event")
    )
