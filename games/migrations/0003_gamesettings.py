"""Per-study game settings move into the study's schema (#19): ``Study.game_config`` (public) becomes
the ``games.GameSettings`` row of each study.

Runs in every study schema (games is a tenant app). Each schema reads its own Study row in public
by ``connection.schema_name``; the template schema has none, and studies cloned from it get their
row when they are created. tenants 0005 keeps the public column in the database (only the model
field goes) because ``migrate_schemas`` migrates public before the study schemas: dropping it
there would lose every value before this copy runs.
"""

from typing import Any

from django.db import migrations, models
from django_tenants.utils import get_public_schema_name


def copy_study_game_config(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    public = get_public_schema_name()
    schema = connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT 1 FROM "{public}".tenants_study WHERE schema_name = %s', [schema])
        if cursor.fetchone() is None:
            return  # the template (or public): no study, nothing to copy
        cursor.execute(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = 'tenants_study' AND column_name = 'game_config'",
            [public],
        )
        if cursor.fetchone() is None:
            raise RuntimeError(
                f"{public}.tenants_study.game_config is gone before the game settings of {schema} were copied;"
                " restore the column (a backup) and migrate again."
            )
        cursor.execute(f'SELECT game_config FROM "{public}".tenants_study WHERE schema_name = %s', [schema])
        (config,) = cursor.fetchone()
    if isinstance(config, str):  # a driver that does not decode jsonb
        import json

        config = json.loads(config)
    apps.get_model("games", "GameSettings").objects.update_or_create(singleton=True, defaults={"config": config or {}})


class Migration(migrations.Migration):
    dependencies = [
        ("games", "0002_server_confirmation"),
        ("tenants", "0004_piloting_game_check_handoff"),
    ]

    operations = [
        migrations.CreateModel(
            name="GameSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("singleton", models.BooleanField(default=True, editable=False, unique=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("config", models.JSONField(default=dict)),
            ],
            options={"abstract": False},
        ),
        # Backwards: the public column still holds the values (tenants 0005 never dropped it).
        migrations.RunPython(copy_study_game_config, migrations.RunPython.noop),
    ]
