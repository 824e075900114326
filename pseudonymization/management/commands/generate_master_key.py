"""`manage.py generate_master_key`: a new random master key for PLATFORM_MASTER_KEYS (printed once).

Put it first in PLATFORM_MASTER_KEYS (older keys after it, comma-separated) and run `rotate_keys`
to re-wrap the study keys under it. The key never goes to a log or the database.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand

from pseudonymization.crypto import generate_key, key_id_of


class Command(BaseCommand):
    help = "Print a new random master key (base64 of 32 bytes) for PLATFORM_MASTER_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--audit-signing", action="store_true", help="a key for PLATFORM_AUDIT_SIGNING_KEY (Ed25519 seed) instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("audit_signing"):
            from audit.signing import Signer

            seed = base64.b64encode(generate_key()).decode("ascii")
            self.stdout.write(seed)
            self.stderr.write(
                f"PLATFORM_AUDIT_SIGNING_KEY, key id {Signer.from_setting(seed).key_id}; keep it off the database host."
            )
            return
        key = generate_key()
        self.stdout.write(base64.urlsafe_b64encode(key).decode("ascii"))
        self.stderr.write(f"key id {key_id_of(key)}: put it first in PLATFORM_MASTER_KEYS, then run rotate_keys.")
