"""Benchmark: the production settings with throwaway local secrets (bench/stack.py sets them).

Differences from production, each because the benchmark runs on one machine over plain HTTP:
no HTTPS redirect (SECURE_SSL_REDIRECT comes from the environment), static files are not
collected (the API never renders them), and the bench-only naive endpoint is mounted.
"""

from .production import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The study-host URLs plus the per-event "naive" endpoint of section 2; never in production URLs.
ROOT_URLCONF = "bench.urls_tenants"
