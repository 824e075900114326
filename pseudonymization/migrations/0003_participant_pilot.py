"""Participant.pilot: who joined while the study was piloting (everyone before this joined as a participant)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pseudonymization", "0002_duplicate_enrolment"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="pilot",
            field=models.BooleanField(default=False),
        ),
    ]
