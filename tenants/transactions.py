"""on_commit for study code: the callback runs in the schema that was active when it was registered.

Django runs on_commit callbacks when the outermost transaction commits, in whatever schema the
connection is in by then. A transaction opened in public that enters a study inside it (the demo
seed, a management command looping over studies) is back in public at that point, so a task queued
from the callback would carry public as its schema (tenant-schemas-celery reads the connection) and
fail there, or act on the wrong study.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django_tenants.utils import tenant_context


def on_commit_in_this_schema(callback: Callable[[], object]) -> None:
    # The tenant object itself (a Study, or public's stand-in), so receivers see the same study.
    tenant = connection.tenant

    def run() -> None:
        with tenant_context(tenant):
            callback()

    transaction.on_commit(run)
