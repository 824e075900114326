"""Schema-level operations behind study creation and deletion (raw SQL, no models)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists


def ensure_template_schema_exists() -> bool:
    """Create the empty template schema if missing; return True when it was created."""
    name = settings.TENANT_BASE_SCHEMA
    if schema_exists(name):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{name}"')
    return True


def template_is_ready() -> bool:
    """The template exists and has been migrated (its migration table has rows)."""
    name = settings.TENANT_BASE_SCHEMA
    if not schema_exists(name):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = %s AND table_name = 'django_migrations'",
            [name],
        )
        if cursor.fetchone()[0] == 0:
            return False
        cursor.execute(f'SELECT count(*) FROM "{name}".django_migrations')
        return cursor.fetchone()[0] > 0


def drop_schema(schema_name: str) -> None:
    if schema_name in {"public", settings.TENANT_BASE_SCHEMA} or not schema_name.startswith("study_"):
        raise ValueError(f"refusing to drop schema {schema_name!r}")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
