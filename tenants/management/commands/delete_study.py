"""manage.py delete_study <slug> --confirm <slug> : drop a study's schema and everything in it."""

from __future__ import annotations

from tenants.management.study_command import ConfirmedStudyCommand
from tenants.models import Study
from tenants.services import study_delete


class Command(ConfirmedStudyCommand):
    help = "Delete a study and ALL its data (irreversible). Repeat the slug with --confirm."
    done = "Deleted study '{slug}' and its schema."

    def act(self, *, study: Study, confirm: str) -> None:
        study_delete(study=study, confirm=confirm)
