"""Re-wrap every study key under the current master key (the first of PLATFORM_MASTER_KEYS).

Online and cheap: each study's 32-byte wrapped key is replaced in its own short transaction;
participant keys and encrypted identifiers are not touched. While it runs, both the old and the
new master key are configured, so every request can still open every study key. Afterwards the
old key can be removed from PLATFORM_MASTER_KEYS (run with --check first: it lists any study still
wrapped under another key).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import core.study
from pseudonymization import crypto, keyring
from pseudonymization.models import ParticipantKey, StudyKey
from tenants.models import Study


class Command(BaseCommand):
    help = "Re-wrap study keys under the current master key (no data is re-encrypted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only report; change nothing.")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Also open every participant's data key (proves the chain; identifiers stay encrypted).",
        )
        parser.add_argument("--study", action="append", default=[], help="Limit to this study slug (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            current = keyring.current_master_key()
        except crypto.KeyConfigurationError as exc:
            raise CommandError(str(exc)) from exc
        studies = core.study.studies()
        if options["study"]:
            studies = studies.filter(slug__in=options["study"])
        counts = {"rewrapped": 0, "current": 0, "stale": 0, "no_key": 0, "failed": 0, "participant_keys": 0}
        for study in core.study.for_each_study(studies):
            outcome = self._one(study, current, options)
            counts[outcome] += 1
            if options["verify"] and outcome in ("rewrapped", "current", "stale"):
                counts["participant_keys"] += self._verify(study)
        self.stdout.write(
            f"master key {current.key_id}: {counts['rewrapped']} re-wrapped, {counts['current']} already current, "
            f"{counts['stale']} still under an older key, {counts['no_key']} without a key yet, "
            f"{counts['failed']} failed"
            + (f"; {counts['participant_keys']} participant keys opened" if options["verify"] else "")
        )
        if counts["failed"]:
            raise CommandError("Some study keys could not be opened; see above. Nothing else was changed for them.")
        if counts["stale"] == 0 and counts["failed"] == 0 and len(keyring.master_keys()) > 1:
            self.stdout.write("Every study key is under the current master key: the older keys can be removed.")

    def _one(self, study: Study, current: crypto.MasterKey, options: dict[str, Any]) -> str:
        row = StudyKey.objects.filter(singleton=True).first()
        if row is None:
            return "no_key"
        if row.master_key_id == current.key_id:
            return "current"
        try:
            if options["check"]:
                keyring.unwrap_study_key(row, study.schema_name)
                self.stdout.write(f"{study.slug}: under master key {row.master_key_id} (would re-wrap)")
                return "stale"
            keyring.rewrap_study_key()
        except keyring.KeyUnavailable as exc:
            self.stderr.write(f"{study.slug}: {exc.message}")
            return "failed"
        return "rewrapped"

    def _verify(self, study: Study) -> int:
        kek = keyring.participant_kek()
        opened = 0
        for row in ParticipantKey.objects.select_related("participant").iterator():
            code = row.participant.participant_code
            try:
                crypto.open_sealed(kek, bytes(row.wrapped_key), aad=crypto.participant_key_aad(code))
            except crypto.DecryptionError as exc:
                raise CommandError(f"{study.slug}: the data key of {code} does not open.") from exc
            opened += 1
        return opened
