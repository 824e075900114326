"""URLs of a study host (the study's schema). Each app owns its own urls module."""

from django.urls import include, path

import compliance.urls
import consent.urls
import dashboard.urls
import flows.urls
import games.urls
import pseudonymization.urls
import questionnaires.urls
import rights.urls
import tenants.urls_study
import traits.urls
from research_platform import api_docs, site_files
from research_platform.health import healthz

_APPS = (
    tenants.urls_study,
    consent.urls,
    pseudonymization.urls,
    flows.urls,
    games.urls,
    questionnaires.urls,
    traits.urls,
    compliance.urls,
    dashboard.urls,
    rights.urls,
)

api_v1 = [pattern for module in _APPS for pattern in module.api_urlpatterns]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *site_files.urlpatterns,
    *api_docs.urlpatterns,
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    *[pattern for module in _APPS for pattern in module.urlpatterns],
]

handler400 = api_docs.handlers["handler400"]
handler403 = api_docs.handlers["handler403"]
handler404 = api_docs.handlers["handler404"]
handler500 = api_docs.handlers["handler500"]
