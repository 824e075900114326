"""migrate_schemas that also keeps the study template schema migrated.

New studies are cloned from ``TENANT_BASE_SCHEMA``; django-tenants migrates only schemas that have
a Study row, so the template would fall behind. This command migrates it with every tenant run.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import makemigrations
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor

from tenants.provisioning import ensure_template_schema_exists


class Command(MigrateSchemasCommand):
    @property
    def autodetector(self) -> type:
        # django-pgtrigger swaps makemigrations' autodetector at start-up; migrate must match it.
        return makemigrations.Command.autodetector

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        wants_template = not options.get("schema_name") or options.get("schema_name") == settings.TENANT_BASE_SCHEMA
        if self.sync_tenant and wants_template:
            ensure_template_schema_exists()
            executor = get_executor(codename="standard")(self.args, self.options)
            executor.run_migrations(tenants=[settings.TENANT_BASE_SCHEMA])
