from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0003_retentionpolicy_to_rights")]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="include_free_text",
            field=models.BooleanField(default=False, db_default=False),
        ),
    ]
