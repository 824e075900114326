"""`manage.py check_capacity`: refuse to start a stack that could exhaust the database's connections."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.capacity import Plan, refusal


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        number = int(value)
    except ValueError as exc:
        raise CommandError(f"{name} must be a whole number, not {value!r}") from exc
    if number < 1:
        raise CommandError(f"{name} must be at least 1")
    return number


class Command(BaseCommand):
    help = "Check that the web and Celery processes fit the database's max_connections (60 % rule)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--without-worker", action="store_true", help="no Celery worker or beat will run")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan(
            web_workers=_int("WEB_WORKERS", 2),
            web_threads=_int("WEB_THREADS", 8),
            celery_concurrency=_int("CELERY_CONCURRENCY", 2),
            with_worker=not options["without_worker"],
        )
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            maximum = int(cursor.fetchone()[0])
        reason = refusal(plan, maximum)
        if reason:
            raise CommandError(reason)
        self.stdout.write(f"Database connections: at most {plan.connections} of max_connections {maximum}.")
