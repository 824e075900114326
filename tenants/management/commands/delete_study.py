"""manage.py delete_study <slug> --confirm <slug> : drop a study's schema and everything in it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.selectors import study_get
from tenants.services import StudyError, study_delete


class Command(BaseCommand):
    help = "Delete a study and ALL its data (irreversible). Repeat the slug with --confirm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--confirm", default="", help="the study's slug again")

    def handle(self, *args: Any, **options: Any) -> None:
        study = study_get(slug=options["slug"])
        if study is None:
            raise CommandError(f"No study '{options['slug']}'.")
        try:
            study_delete(study=study, confirm=options["confirm"])
        except StudyError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Deleted study '{options['slug']}' and its schema."))
