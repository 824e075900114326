"""Recompute metrics, fits and profiles of every finished session of a study with the current versions.

Run after a version bump (METRICS_VERSION, a model's version, TRAITS_VERSION). Results of earlier
versions are kept beside the new ones (rows are unique per session AND version); sessions already
computed with the current versions and the same input are left as they are. When the study has
active norms (`compute_study_norms`), each session also gets its profile against them, beside the
default-reference one. Sessions of withdrawn or erased participants are skipped.

    manage.py recompute_traits --study pilot [--version bart-traits/2.0.0] [--queue]

After the 2.0.0 bump (signed learning and reaction to loss, block-bootstrap intervals, norms that
leave the person out) this adds a 2.0.0 profile beside each stored 1.x profile, which stays as it
was. Norms are per version: 1.x norms never place a 2.0.0 profile, so a study that had norms runs
`compute_study_norms --recompute` afterwards. `--queue` hands the work to a Celery worker
(traits.tasks.recompute_study) instead of doing it in this process.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django_tenants.utils import tenant_context

from tenants.selectors import study_get
from traits import mapping
from traits.services import recompute_current


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
        parser.add_argument("--queue", action="store_true", help="run it on a Celery worker (in the study's schema)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["version"] != mapping.TRAITS_VERSION:
            raise CommandError(
                f"This code computes {mapping.TRAITS_VERSION}, not {options['version']}. Results of other "
                "versions stay stored; to compute another version, run the code of that version."
            )
        study = study_get(slug=options["study"])
        if study is None:
            raise CommandError(f"No study {options['study']!r}.")
        if options["queue"]:
            from traits.tasks import recompute_study

            with tenant_context(study):  # the task's header carries this schema to the worker
                result = recompute_study.delay()
            self.stdout.write(f"{study.slug}: recompute at {mapping.TRAITS_VERSION} queued (task {result.id}).")
            return
        stream = self.stderr if not options["no_progress"] else None
        started = time.monotonic()
        with tenant_context(study):

            def tick(done: int, total: int) -> None:
                if stream is not None:
                    progress(stream, done, total, started)

            counts = recompute_current(on_progress=tick)
            if stream is not None:
                stream.write("")
        kept = ", ".join(f"{n} of {v}" for v, n in sorted(counts["kept"].items())) or "none"
        self.stdout.write(
            f"{study.slug}: {counts['sessions']} sessions at {mapping.TRAITS_VERSION}, {counts['new']} new profiles "
            f"({time.monotonic() - started:.1f} s); earlier versions kept ({kept})."
        )
        if not counts["norms"]:
            self.stdout.write(
                f"No {mapping.TRAITS_VERSION} study norms: participants see their behaviour in plain terms only. "
                "Once the study has enough participants: "
                f"manage.py compute_study_norms --study {study.slug} --recompute"
            )
