"""RetentionPolicy moves from dashboard to rights (#19): rights enforces it, so rights owns it.

State only: the table keeps its name (``dashboard_retentionpolicy``) and every study's row stays
where it is; dashboard 0003 removes the model from dashboard's state after this.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0001_initial"),
        ("dashboard", "0002_exportjob_scope"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RetentionPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("singleton", models.BooleanField(default=True, editable=False, unique=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("erase_identifiers_after_days", models.PositiveIntegerField(blank=True, null=True)),
                        ("erase_raw_events_after_days", models.PositiveIntegerField(blank=True, null=True)),
                        ("note", models.TextField(blank=True, help_text="What the ethics approval says, for the record")),
                    ],
                    options={"db_table": "dashboard_retentionpolicy"},
                ),
            ],
            database_operations=[],
        ),
    ]
