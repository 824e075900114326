"""Verify the audit chains: the platform's and every study's (or one with --study); exit 1 if broken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verification import verify_studies
from core.study import studies


class Command(BaseCommand):
    help = "Verify the hash chains of the audit log; report the first broken entry of each chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--study", help="only this study's chain (slug)")
        parser.add_argument("--json", action="store_true", help="print the results as JSON")
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            help="a checkpoint export kept by the compliance officer (JSON from the audit API); repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options.get("study")
        if slug and not studies().filter(slug=slug).exists():
            raise CommandError(f"No study with the slug {slug!r}.")
        exported: list[dict[str, Any]] = []
        for path in options["checkpoints"]:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read the checkpoint export {path}: {exc}") from exc
            for export in data if isinstance(data, list) else [data]:
                exported += [{**c, "schema": export.get("schema", c.get("schema"))} for c in export["checkpoints"]]
        results = verify_studies([slug] if slug else None, include_platform=not slug, exported=exported or None)
        if options["json"]:
            self.stdout.write(json.dumps({"chains": results}, indent=2))
        else:
            for r in results:
                name = r["study"] or "platform (public)"
                if r["intact"]:
                    self.stdout.write(f"{name}: intact, {r['entries']} entries, head {r['head_hash'][:16]}")
                else:
                    broken = r["first_broken"]
                    if broken:
                        self.stdout.write(
                            f"{name}: BROKEN at seq {broken['seq']} (id {broken['id']}): {broken['problem']}"
                        )
                    for problem in r["checkpoint_problems"]:
                        self.stdout.write(f"{name}: BROKEN against the checkpoints: {problem}")
        if not all(r["intact"] for r in results):
            raise CommandError("At least one audit chain is broken.", returncode=1)
