"""Local development: debug on, embedded database and eager tasks unless configured."""

from research_platform.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# Serve static files straight from the app folders while developing (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
