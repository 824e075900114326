"""The one shape of the commands that end a study (archive_study, delete_study).

Both take a slug and refuse to act unless ``--confirm`` repeats it; the service checks the
confirmation, so the command only parses, reports and turns a refusal into a CommandError.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Study
from tenants.selectors import study_get
from tenants.services import StudyError


class ConfirmedStudyCommand(BaseCommand):
    """Subclasses set ``help`` and ``done`` (a sentence with ``{slug}``) and implement ``act``."""

    done: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--confirm", default="", help="the study's slug again")

    def act(self, *, study: Study, confirm: str) -> None:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        study = study_get(slug=slug)
        if study is None:
            raise CommandError(f"No study '{slug}'.")
        try:
            self.act(study=study, confirm=options["confirm"])
        except StudyError as exc:
            # The same wording as create_study's refusals: the message, then the code scripts match on.
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        self.stdout.write(self.style.SUCCESS(self.done.format(slug=slug)))
