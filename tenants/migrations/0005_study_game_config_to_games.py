"""``Study.game_config`` leaves the model (#19): the game's settings are games.GameSettings, per schema.

State only for the field: ``migrate_schemas`` migrates public first, so the column must outlive this
migration until games 0003 has copied it in every study schema. The column gets a database default
so that new rows (which no longer name it) insert. A later migration drops it once every schema is
past games 0003.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_piloting_game_check_handoff"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="study", name="game_config")],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE tenants_study ALTER COLUMN game_config SET DEFAULT '{}'::jsonb",
                    reverse_sql="ALTER TABLE tenants_study ALTER COLUMN game_config DROP DEFAULT",
                )
            ],
        ),
    ]
