"""games 0003 copies each study's ``Study.game_config`` (public) into its own schema's GameSettings row.

Migrated back and forth in alpha's schema inside the test's transaction (rolled back afterwards), the
way ``migrate_schemas`` runs it in every existing study after the upgrade.
"""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from games.models import GameSettings

BEFORE = ("games", "0002_server_confirmation")
AFTER = ("games", "0003_gamesettings")
OLD_CONFIG = {"variant": "standard", "balloons_per_color": 12, "colors": [{"color": "red", "max_pumps": 32}]}


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor


def test_an_existing_studys_game_config_survives_the_move_into_its_schema(in_alpha):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE public.tenants_study SET game_config = %s WHERE schema_name = %s",
            [json.dumps(OLD_CONFIG), in_alpha.schema_name],
        )
    _migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('games_gamesettings')")
        assert cursor.fetchone()[0] is None  # really before: the table is gone
    _migrate(AFTER)
    assert GameSettings.objects.get().config == OLD_CONFIG


def test_the_template_schema_gets_no_settings_row(db):
    """The template has no Study row: clones start without one and get theirs when created."""
    migration = importlib.import_module("games.migrations.0003_gamesettings")
    executor = MigrationExecutor(connection)
    apps = executor.loader.project_state(AFTER).apps
    connection.set_schema(settings.TENANT_BASE_SCHEMA)
    migration.copy_study_game_config(apps, SimpleNamespace(connection=connection))
    assert not apps.get_model("games", "GameSettings").objects.exists()
