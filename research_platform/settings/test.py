"""Test settings: fast hashing, eager tasks for unit tests (integration tests start a real worker)."""

from research_platform.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # Django's test client's default host
PLATFORM_EXTRA_HOSTS = [*PLATFORM_EXTRA_HOSTS, "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; tests marked `integration` configure a real broker themselves.
CELERY_TASK_ALWAYS_EAGER = env_bool("TEST_CELERY_EAGER", True)
# A real-worker test names its own queue, so parallel test runs sharing one Redis never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("TEST_CELERY_QUEUE") or "celery"
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

# The fault tests (tests/security/test_fault_*.py) run the server like production: the cache on the
# same Redis as the broker (so a Redis outage also takes the rate-limit counters away).
if env_str("TEST_CACHE_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("TEST_CACHE_REDIS_URL"),
        }
    }
# The export-progress browser test reports progress every few rows and pauses after each report,
# so the page's polling sees the bar move (dashboard/tasks.py; 0 = the production behaviour).
EXPORT_PROGRESS_EVERY = int(env_str("EXPORT_PROGRESS_EVERY") or 0)
EXPORT_TEST_PROGRESS_DELAY_SECONDS = float(env_str("EXPORT_TEST_PROGRESS_DELAY_SECONDS") or 0)

if not PLATFORM_AUDIT_SIGNING_KEY:  # the published development key: checkpoints then prove nothing
    from audit.signing import development_signing_key

    PLATFORM_AUDIT_SIGNING_KEY = development_signing_key()
