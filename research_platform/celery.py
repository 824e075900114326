"""The Celery app: tenant-aware, so every task runs in the schema of the study that queued it.

tenant-schemas-celery puts the schema name in the task headers; a task queued from a plain app
would silently run in public (TSC#132), so every task of the project uses this app.
"""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_platform.settings.local")

app = TenantAwareCeleryApp("research_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
