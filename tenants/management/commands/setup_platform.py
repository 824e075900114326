"""manage.py setup_platform : migrate public, the template and every study; seed the demo."""

from __future__ import annotations

import time
from typing import Any

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from psycopg2 import sql

from tenants.seed import seed_demo


class Command(BaseCommand):
    help = "Prepare the database (all schemas and the study template) and seed the demo study."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if ensure_database_exists():
            self.stdout.write(f"Created database {settings.DATABASES['default']['NAME']}.")
        call_command("migrate_schemas", interactive=False, verbosity=0)
        self.stdout.write(f"Schemas migrated in {time.perf_counter() - started:.1f} s.")
        if not options["no_demo"]:
            for line in seed_demo():
                self.stdout.write(line)


def ensure_database_exists() -> bool:
    """Create the configured database when the server has none of that name (a fresh DATABASE_URL).

    Connects to the server's maintenance database; returns True when it created the database.
    """
    db = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()
