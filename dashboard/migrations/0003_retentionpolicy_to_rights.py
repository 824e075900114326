"""RetentionPolicy now belongs to rights (rights 0002): drop it from dashboard's state, keep the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_exportjob_scope"),
        ("rights", "0002_retentionpolicy_from_dashboard"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RetentionPolicy")],
            database_operations=[],
        ),
    ]
