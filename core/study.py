"""The study a piece of code runs for, and a walk over every study's schema.

Every study is a django-tenants tenant with its own schema; the public schema holds the platform.
These are the one way the apps ask "which study is this?" and "do this in each study", so the
rules (which schemas are studies, in which order they are visited) live in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name, get_tenant_model, tenant_context


def is_study(tenant: Any) -> bool:
    """A real study row (not the platform host, an unknown host or the public schema)."""
    return isinstance(tenant, get_tenant_model()) and tenant.schema_name != get_public_schema_name()


def current_study(request: Any = None) -> Any | None:
    """The study of ``request`` (a Django or DRF request), or of the connection when none is given;
    None on the platform host, on a host that names no study and in the public schema."""
    tenant = getattr(request, "tenant", None) if request is not None else getattr(connection, "tenant", None)
    return tenant if is_study(tenant) else None


def current_study_slug() -> str:
    """The slug of the current study, or "" outside one (the platform's own records)."""
    study = current_study()
    return str(study.slug) if study is not None else ""


def studies() -> Any:
    """Every study, in slug order (the base schema django-tenants clones from is not a study)."""
    skip = [get_public_schema_name(), getattr(settings, "TENANT_BASE_SCHEMA", "") or get_public_schema_name()]
    return get_tenant_model().objects.exclude(schema_name__in=skip).order_by("slug")


def for_each_study(selection: Any = None) -> Iterator[Any]:
    """Yield each study (all of them, or those of ``selection``) with its schema active and the study
    as ``connection.tenant`` (so Celery tasks queued inside run in that study's schema)."""
    for study in studies() if selection is None else selection:
        with tenant_context(study):
            yield study
