"""docs/operations.md's backup of one study, done as an operator would: `pg_dump --schema` of the study,
the schema lost, `pg_restore` of the dump; the study comes back whole (rows, audit chain, participant
tokens) while the other studies were never touched. Real pg_dump/pg_restore processes on the test
database, on a committed study of this module's own.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from tests.committed import dedicated_study
from tests.live import database_url_for_tests

# django_db: pytest-django creates the test database only for sessions with a test that asks for it.
pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _tool(name: str) -> str:
    """pgserver's own client (the embedded cluster's version), else the machine's."""
    import pgserver

    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
    found = str(bundled) if bundled.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is missing (it ships with the pgserver wheel)")
    return found


def _counts(study: Any) -> dict[str, int]:
    from audit.models import AuditEntry
    from consent.models import ConsentRecord
    from games.models import Event, GameSession
    from pseudonymization.models import Participant, ParticipantToken

    with tenant_context(study):
        return {
            model.__name__: model.objects.count()
            for model in (Participant, ParticipantToken, ConsentRecord, GameSession, Event, AuditEntry)
        }


@pytest.fixture(scope="module")
def restore(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The whole procedure, committed, outside any test transaction (DROP SCHEMA cannot run in one
    that has pending trigger events); the test then checks what it recorded."""
    from audit.verification import verify_schema
    from tests.conftest import enrolled
    from tests.consent.support import publish
    from tests.rights.support import play

    url = database_url_for_tests()
    seen: dict[str, Any] = {}
    with (
        django_db_blocker.unblock(),
        dedicated_study("restore", game_config={"balloons_per_color": 2}) as study,
        dedicated_study("untouched", game_config={"balloons_per_color": 2}) as other,
    ):
        for each in (study, other):
            publish(each)
        client = Client(HTTP_HOST=study.domain_name)
        person = enrolled(study, client)
        play(client, person, seed=4, balloons=2)
        other_client = Client(HTTP_HOST=other.domain_name)
        play(other_client, enrolled(other, other_client), seed=5, balloons=2)
        seen["before"], seen["other_before"] = _counts(study), _counts(other)
        seen["intact_before"] = verify_schema(study.schema_name).intact

        dump = tmp_path_factory.mktemp("backup") / "study.dump"
        subprocess.run(
            [_tool("pg_dump"), "--schema", study.schema_name, "--format=custom", "--file", str(dump), url],
            check=True,
            capture_output=True,
        )
        with connection.cursor() as cursor:  # the study's schema is lost
            cursor.execute(f'DROP SCHEMA "{study.schema_name}" CASCADE')
        try:
            _counts(study)
            seen["lost"] = False
        except Exception:
            seen["lost"] = True
        connection.close()  # the failed query left the connection unusable

        restored = subprocess.run(
            [_tool("pg_restore"), "--dbname", url, "--exit-on-error", str(dump)], capture_output=True, text=True
        )
        seen["restore_code"], seen["restore_stderr"] = restored.returncode, restored.stderr
        seen["after"], seen["other_after"] = _counts(study), _counts(other)
        seen["intact_after"] = verify_schema(study.schema_name).intact
        # The participant's own token works again: they can read their data as before.
        mine = client.get("/api/v1/me/data/", **person.auth)
        seen["me"] = (mine.status_code, mine.json().get("participant", {}).get("participant_code"), person.code)
        connection.close()
    return seen


def test_one_study_is_restored_from_its_own_pg_dump(restore):
    assert restore["before"]["Event"] > 0 and restore["intact_before"]
    assert restore["lost"], "dropping the schema should have lost the study"
    assert restore["restore_code"] == 0, restore["restore_stderr"]
    assert restore["after"] == restore["before"]
    assert restore["other_after"] == restore["other_before"]
    assert restore["intact_after"]
    status, code, expected = restore["me"]
    assert status == 200 and code == expected
