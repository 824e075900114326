"""URLs of the platform host (public schema). Each app owns its own urls module."""

from django.contrib import admin
from django.urls import include, path

import compliance.urls_platform
import dashboard.urls_platform
import tenants.urls_platform
from research_platform import api_docs, site_files
from research_platform.health import healthz

api_v1 = [
    *tenants.urls_platform.api_urlpatterns,
    *dashboard.urls_platform.api_urlpatterns,
    *compliance.urls_platform.api_urlpatterns,
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *site_files.urlpatterns,
    *api_docs.urlpatterns,
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    *tenants.urls_platform.urlpatterns,
    *compliance.urls_platform.urlpatterns,
    *dashboard.urls_platform.urlpatterns,
]

handler400 = api_docs.handlers["handler400"]
handler403 = api_docs.handlers["handler403"]
handler404 = api_docs.handlers["handler404"]
handler500 = api_docs.handlers["handler500"]
