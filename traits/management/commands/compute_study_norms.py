"""Compute a study's own reference distribution from its participants and make it the active one.

    manage.py compute_study_norms --study pilot [--recompute]

Needs at least MIN_STUDY_NORMS + 1 (31) active participants with a processed session at the current
traits version, so that each is compared with 30 others once left out of their own norm; one value
per participant (their first session). The norms are stored as a
StudyNorms row named by their hash ("study-norms-<16 hex>"); profiles standardized against them
record that label in `reference`. `--recompute` then re-standardizes every finished session
(recompute_traits), keeping the default-reference profiles beside the new ones.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from core.errors import ApplicationError
from tenants.selectors import study_get
from traits.services import study_norms_compute


class Command(BaseCommand):
    help = "Compute and activate a study's own trait norms (needs enough participants); optionally re-standardize."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--study", required=True, help="the study's slug")
        parser.add_argument("--recompute", action="store_true", help="then run recompute_traits for the study")

    def handle(self, *args: Any, **options: Any) -> None:
        study = study_get(slug=options["study"])
        if study is None:
            raise CommandError(f"No study {options['study']!r}.")
        with tenant_context(study):
            try:
                norms = study_norms_compute()
            except ApplicationError as exc:
                raise CommandError(f"{exc.message} ({exc.details})") from exc
        self.stdout.write(f"{study.slug}: {norms.label} active ({norms.n_participants} participants)")
        for key, n in sorted(norms.counts.items()):
            ref = norms.reference.get(key)
            if ref is None:
                self.stdout.write(f"  {key}: too few values ({n}): no norm, scores stay in plain terms")
                continue
            method = ref.get("percentile_method")
            self.stdout.write(
                f"  {key}: n = {n}, mean {ref['mean']:.4g}, sd {ref['sd']:.4g}, {method} percentiles, leave-one-out"
            )
        if options["recompute"]:
            call_command("recompute_traits", study=study.slug, no_progress=True, stdout=self.stdout._out)
        else:
            self.stdout.write(f"Run `manage.py recompute_traits --study {study.slug}` to re-standardize.")
