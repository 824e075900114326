"""manage.py create_study <slug> --title "..." : provision a study by cloning the template, with its game settings.

It was a tenants command until #19; the game settings live in the study's schema (games), so the
command uses the creation flow that spans both (dashboard.services.study_create_with_settings).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from dashboard.services import study_create_with_settings
from tenants.services import StudyError


class Command(BaseCommand):
    help = "Create a study: its schema (cloned from the migrated template) and its host name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--title", required=True)
        parser.add_argument("--description", default="")
        parser.add_argument("--game-config", default=None, help="JSON object; defaults per docs/science.md")
        parser.add_argument("--created-by", default=None, help="username of the creating user")
        parser.add_argument("--by-migrations", action="store_true", help="replay migrations instead of cloning")

    def handle(self, *args: Any, **options: Any) -> None:
        config = None
        if options["game_config"]:
            try:
                config = json.loads(options["game_config"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--game-config is not valid JSON: {exc}") from exc
        creator = None
        if options["created_by"]:
            creator = get_user_model().objects.filter(username=options["created_by"]).first()
            if creator is None:
                raise CommandError(f"No user named {options['created_by']!r}.")
        started = time.perf_counter()
        try:
            study = study_create_with_settings(
                acting_user=creator,
                as_manager=False,
                slug=options["slug"],
                title=options["title"],
                description=options["description"],
                game_config=config,
                by_migrations=options["by_migrations"],
            )
        except (StudyError, ApplicationError) as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        elapsed = (time.perf_counter() - started) * 1000
        how = "migrations" if options["by_migrations"] else "clone"
        self.stdout.write(self.style.SUCCESS(f"Created study '{study.slug}' by {how} in {elapsed:.0f} ms: {study.url}"))
