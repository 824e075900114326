"""Recompute metrics, fits and profiles of every finished session of a study with the current versions.

Run after a version bump (METRICS_VERSION, a model's version, TRAITS_VERSION). Results of earlier
versions are kept beside the new ones (rows are unique per session AND version); sessions already
computed with the current versions and the same input are left as they are. When the study has
active norms (`compute_study_norms`), each session also gets its profile against them, beside the
default-reference one. Sessions of withdrawn or erased participants are skipped.

    manage.py recompute_traits --study pilot [--version bart-traits/1.0.0]
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django_tenants.utils import tenant_context

from tenants.models import Study
from traits import mapping
from traits.models import TraitProfile
from traits.services import session_process

FINISHED = ("completed", "processed", "flagged")


def progress(stream: OutputWrapper, done: int, total: int, started: float, width: int = 30) -> None:
    """One redrawn line: bar, count, rate; plain text so it also reads well in a log file."""
    filled = width if total == 0 else int(width * done / total)
    rate = done / max(time.monotonic() - started, 1e-9)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} sessions  {rate:.1f}/s", ending="")
    stream.flush()


class Command(BaseCommand):
    help = "Recompute metrics, model fits and trait profiles of a study's finished sessions (keeps old versions)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Django's own --version (its release) would clash with ours; this command's --version is the mapping's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--study", required=True, help="the study's slug")
        parser.add_argument(
            "--version",
            default=mapping.TRAITS_VERSION,
            help=f"the trait-mapping version to compute; this code computes {mapping.TRAITS_VERSION}",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["version"] != mapping.TRAITS_VERSION:
            raise CommandError(
                f"This code computes {mapping.TRAITS_VERSION}, not {options['version']}. Results of other "
                "versions stay stored; to compute another version, run the code of that version."
            )
        study = Study.objects.filter(slug=options["study"]).first()
        if study is None or study.schema_name == "public":
            raise CommandError(f"No study {options['study']!r}.")
        from games.models import GameSession  # the games app owns sessions; imported when the command runs
        from traits.tasks import _load

        stream = self.stderr if not options["no_progress"] else None
        with tenant_context(study):
            ids = list(
                # Withdrawn or erased participants' sessions are never (re)processed (issue 8).
                GameSession.objects.filter(status__in=FINISHED, participant__status="active")
                .order_by("started_at")
                .values_list("pk", flat=True)
            )
            before = TraitProfile.objects.filter(traits_version=mapping.TRAITS_VERSION).count()
            started = time.monotonic()
            for n, session_id in enumerate(ids, 1):
                session, data = _load(str(session_id))
                session_process(data=data, quality_flags=dict(session.quality_flags or {}))
                if stream is not None:
                    progress(stream, n, len(ids), started)
            if stream is not None:
                stream.write("")
            new = TraitProfile.objects.filter(traits_version=mapping.TRAITS_VERSION).count() - before
        self.stdout.write(
            f"{study.slug}: {len(ids)} sessions at {mapping.TRAITS_VERSION}, {new} new profiles "
            f"({time.monotonic() - started:.1f} s); earlier versions kept."
        )
