"""Researchers' API tokens move to django-rest-knox (digests with expiry, #18 finding 4).

DRF's authtoken table held every token in clear; it is dropped, so those tokens stop working and
researchers obtain new ones (POST /api/v1/auth/token/).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_alter_study_options_studygroupobjectpermission_and_more"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token CASCADE", reverse_sql=migrations.RunSQL.noop),
    ]
