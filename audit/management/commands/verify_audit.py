"""Verify the audit chains: the platform's and every study's (or one with --study); exit 1 if broken."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verification import verify_studies
from tenants.models import Study


class Command(BaseCommand):
    help = "Verify the hash chains of the audit log; report the first broken entry of each chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--study", help="only this study's chain (slug)")
        parser.add_argument("--json", action="store_true", help="print the results as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options.get("study")
        if slug and not Study.objects.filter(slug=slug).exists():
            raise CommandError(f"No study with the slug {slug!r}.")
        results = verify_studies([slug] if slug else None, include_platform=not slug)
        if options["json"]:
            self.stdout.write(json.dumps({"chains": results}, indent=2))
        else:
            for r in results:
                name = r["study"] or "platform (public)"
                if r["intact"]:
                    self.stdout.write(f"{name}: intact, {r['entries']} entries, head {r['head_hash'][:16]}")
                else:
                    broken = r["first_broken"]
                    self.stdout.write(f"{name}: BROKEN at seq {broken['seq']} (id {broken['id']}): {broken['problem']}")
        if not all(r["intact"] for r in results):
            raise CommandError("At least one audit chain is broken.", returncode=1)
