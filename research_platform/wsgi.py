"""WSGI entry point (gunicorn research_platform.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_platform.settings.local")
application = get_wsgi_application()
