"""Export jobs record their scope (#20): finished sessions only or all, pilot participants or not.

Jobs written before this migration held every session and every participant, so they get
finished_only=False and include_pilots=True; new jobs always say what was asked for (no default).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="finished_only",
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exportjob",
            name="include_pilots",
            field=models.BooleanField(default=True),
            preserve_default=False,
        ),
    ]
