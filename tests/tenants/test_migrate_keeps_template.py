"""The normal migrate step keeps the study template migrated."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection

from tenants.provisioning import template_is_ready


def test_migrate_recreates_and_migrates_a_missing_template(db):
    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA "study_template" CASCADE')
    assert not template_is_ready()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    assert template_is_ready()
