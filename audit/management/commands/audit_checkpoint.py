"""Sign the audit chains' heads now (beat does it every AUDIT_CHECKPOINT_SECONDS); --export prints one chain's."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from audit.checkpoints import checkpoint_all_schemas, checkpoints_export


class Command(BaseCommand):
    help = "Sign a checkpoint of every audit chain whose head moved; --export SCHEMA prints that chain's export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--export", metavar="SCHEMA", help="print the checkpoint export of one schema as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("export"):
            with schema_context(options["export"]):
                self.stdout.write(json.dumps(checkpoints_export(), indent=2))
            return
        made = checkpoint_all_schemas()
        self.stdout.write(f"{made} new checkpoint(s) signed.")
