"""Master keys: rotation re-wraps study keys only, and a wrong or missing key stops start-up clearly."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django_tenants.utils import tenant_context

from pseudonymization import crypto
from pseudonymization.key_checks import verify_keys_at_startup
from pseudonymization.keyring import KeyUnavailable
from pseudonymization.models import Participant, ParticipantKey, StudyKey
from pseudonymization.services import participant_external_id
from tests.conftest import enrolled
from tests.consent.support import publish

ROOT = Path(__file__).resolve().parents[2]
OLD = crypto.development_master_key()
NEW = base64.urlsafe_b64encode(crypto.generate_key()).decode()
IDS = {"alpha": ["panel-A-0001", "panel-A-0002", "panel-A-0003"], "beta": ["panel-B-0001"]}


@pytest.fixture
def enrolled_everywhere(alpha, beta, alpha_client, beta_client) -> dict:
    # Not the cast: the key tests need several participants per study, each with a panel id to encrypt.
    for study, client in ((alpha, alpha_client), (beta, beta_client)):
        document = publish(study)
        for external_id in IDS[study.slug]:
            enrolled(study, client, external_id, document=document)
    return {"alpha": alpha, "beta": beta}


def _snapshot(study) -> dict:
    with tenant_context(study):
        return {
            "study_key": (StudyKey.objects.get().master_key_id, bytes(StudyKey.objects.get().wrapped_key)),
            "data": sorted(
                (p.participant_code, bytes(p.external_id_ciphertext), p.external_id_index)
                for p in Participant.objects.all()
            ),
            "keys": sorted(bytes(k.wrapped_key) for k in ParticipantKey.objects.all()),
        }


def _identifiers(study) -> list[str]:
    with tenant_context(study):
        return sorted(participant_external_id(participant=p) for p in Participant.objects.all())


def test_rotation_rewraps_study_keys_and_keeps_every_identifier_readable(enrolled_everywhere, settings):
    before = {slug: _snapshot(study) for slug, study in enrolled_everywhere.items()}
    settings.PLATFORM_MASTER_KEYS = f"{NEW},{OLD}"
    out = StringIO()
    call_command("rotate_keys", "--verify", stdout=out)
    assert "2 re-wrapped, 0 already current" in out.getvalue()
    assert "4 participant keys opened" in out.getvalue()
    assert "older keys can be removed" in out.getvalue()
    settings.PLATFORM_MASTER_KEYS = NEW  # the old key is gone now
    for slug, study in enrolled_everywhere.items():
        after = _snapshot(study)
        assert after["study_key"][0] == crypto.key_id_of(base64.urlsafe_b64decode(NEW))
        assert after["study_key"][1] != before[slug]["study_key"][1]
        # Nothing below the study key was re-encrypted.
        assert (after["data"], after["keys"]) == (before[slug]["data"], before[slug]["keys"])
        assert _identifiers(study) == sorted(IDS[slug])
    again = StringIO()
    call_command("rotate_keys", stdout=again)
    assert "0 re-wrapped, 2 already current" in again.getvalue()


def test_check_mode_changes_nothing_and_lists_stale_studies(enrolled_everywhere, settings):
    before = _snapshot(enrolled_everywhere["alpha"])
    settings.PLATFORM_MASTER_KEYS = f"{NEW},{OLD}"
    out = StringIO()
    call_command("rotate_keys", "--check", stdout=out)
    assert "alpha: under master key" in out.getvalue() and "2 still under an older key" in out.getvalue()
    assert _snapshot(enrolled_everywhere["alpha"]) == before


def test_removing_the_old_key_too_early_is_reported_not_hidden(enrolled_everywhere, settings):
    settings.PLATFORM_MASTER_KEYS = NEW
    with tenant_context(enrolled_everywhere["alpha"]), pytest.raises(KeyUnavailable, match="rotate_keys"):
        participant_external_id(participant=Participant.objects.first())
    err = StringIO()
    with pytest.raises(CommandError, match="could not be opened"):
        call_command("rotate_keys", stdout=StringIO(), stderr=err)
    assert "alpha:" in err.getvalue() and "not in PLATFORM_MASTER_KEYS" in err.getvalue()


def test_a_wrong_master_key_fails_the_start_up_check_with_a_clear_message(enrolled_everywhere, settings):
    settings.PLATFORM_MASTER_KEYS = NEW
    with pytest.raises(ImproperlyConfigured) as info:
        verify_keys_at_startup()
    message = str(info.value)
    assert "refusing to start" in message and "study_alpha" in message and "study_beta" in message
    assert "pseudonymization.E002" in message and "rotate_keys" in message
    with pytest.raises(SystemCheckError, match=r"pseudonymization\.E002"):
        call_command("check", "--database", "default", stdout=StringIO(), stderr=StringIO())


def test_a_key_that_cannot_open_the_study_key_is_caught_even_with_a_matching_id(enrolled_everywhere, settings):
    with tenant_context(enrolled_everywhere["alpha"]):
        row = StudyKey.objects.get()
        row.wrapped_key = bytes(row.wrapped_key)[:-1] + b"\x00"  # damaged, or copied from elsewhere
        row.save()
    with pytest.raises(ImproperlyConfigured, match="does not open the study key of 'study_alpha'"):
        verify_keys_at_startup()


def test_the_right_keys_pass_the_start_up_check(enrolled_everywhere):
    verify_keys_at_startup()
    call_command("check", "--database", "default", stdout=StringIO(), stderr=StringIO())


def test_a_missing_or_malformed_master_key_fails_the_check(settings):
    for value, fragment in ((None, "not set"), ("", "not set"), ("abc", "bytes")):
        settings.PLATFORM_MASTER_KEYS = value
        with pytest.raises(ImproperlyConfigured, match=fragment):
            verify_keys_at_startup()
        with pytest.raises(SystemCheckError, match=r"pseudonymization\.E001"):
            call_command("check", stdout=StringIO(), stderr=StringIO())


def _production(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_MASTER_KEYS")}
    base.update(
        DJANGO_SETTINGS_MODULE="research_platform.settings.production",
        SECRET_KEY="s" * 50,
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_master_key(tmp_path):
    missing = _production()
    assert missing.returncode != 0 and "PLATFORM_MASTER_KEYS" in missing.stderr
    development = _production(PLATFORM_MASTER_KEYS=OLD)
    assert development.returncode != 0 and "development key" in development.stderr
    secret = tmp_path / "master.key"
    secret.write_text(NEW + "\n")
    from_file = _production(PLATFORM_MASTER_KEYS_FILE=str(secret))
    assert "PLATFORM_MASTER_KEYS" not in from_file.stderr, from_file.stderr
