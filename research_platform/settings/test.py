"""Test settings: fast hashing, eager tasks for unit tests (integration tests start a real worker)."""

from research_platform.env import env_bool

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; tests marked `integration` configure a real broker themselves.
CELERY_TASK_ALWAYS_EAGER = env_bool("TEST_CELERY_EAGER", True)
# Static files are served by Django's finders in tests; WhiteNoise needs a collected STATIC_ROOT.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Each test process counts its own rate limits: a shared Redis would mix parallel runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# No master key configured: use the published development key (identifiers are then NOT protected;
# the pseudonymization system check says so at start-up).
if not PLATFORM_MASTER_KEYS:
    from pseudonymization.crypto import development_master_key

    PLATFORM_MASTER_KEYS = development_master_key()
    PLATFORM_MASTER_KEYS_IS_DEVELOPMENT = True
