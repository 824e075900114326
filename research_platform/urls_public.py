"""URLs of the platform host (public schema)."""

from django.contrib import admin
from django.urls import path

from research_platform.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
