"""WSGI entry point (gunicorn research_platform.wsgi)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_platform.settings.local")
application = get_wsgi_application()

if settings.PLATFORM_VERIFY_KEYS_AT_STARTUP:
    # A wrong or missing master key stops the server here, not at a participant's first request.
    from pseudonymization.key_checks import verify_keys_at_startup

    verify_keys_at_startup()
