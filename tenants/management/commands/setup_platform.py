"""manage.py setup_platform : migrate public, the template and every study; seed the demo."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tenants.seed import seed_demo


class Command(BaseCommand):
    help = "Prepare the database (all schemas and the study template) and seed the demo study."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        call_command("migrate_schemas", interactive=False, verbosity=0)
        self.stdout.write(f"Schemas migrated in {time.perf_counter() - started:.1f} s.")
        if not options["no_demo"]:
            for line in seed_demo():
                self.stdout.write(line)
