"""``manage.py migrate`` is ``migrate_schemas`` (public, every study, and the template)."""

from tenants.management.commands.migrate_schemas import Command  # noqa: F401
