"""manage.py archive_study <slug> --confirm <slug> : close a study for good, keeping its data."""

from __future__ import annotations

from tenants.management.study_command import ConfirmedStudyCommand
from tenants.models import Study
from tenants.services import study_archive


class Command(ConfirmedStudyCommand):
    help = "Archive a study (keeps its data; no further changes). Repeat the slug with --confirm."
    done = "Archived study '{slug}'; its data is kept."

    def act(self, *, study: Study, confirm: str) -> None:
        study_archive(study=study, confirm=confirm)
