"""Settings shared by every environment; each value comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

from research_platform.env import env_bool, env_int, env_list, env_str
from research_platform.services_config import broker_url, database_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# A local .env fills in what the real environment does not set (the environment wins).
load_dotenv(BASE_DIR / ".env", override=False)

SECRET_KEY = env_str("SECRET_KEY", "insecure-local-key-change-me-" + "x" * 20)
DEBUG = env_bool("DEBUG", False)

# Studies live at <slug>.PLATFORM_DOMAIN; the bare domain is the platform host.
PLATFORM_DOMAIN = env_str("PLATFORM_DOMAIN", "localhost")
PLATFORM_PORT = env_int("PLATFORM_PORT", 8000)
PLATFORM_SCHEME = env_str("PLATFORM_SCHEME", "http")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])
# Hosts served as the platform host besides PLATFORM_DOMAIN (loopback probes); tests add Django's
# "testserver" in settings.test, never here (#18 finding 8).
PLATFORM_EXTRA_HOSTS = ["127.0.0.1"]

# --- Applications -----------------------------------------------------------------------------
# Placement is decided once (moving an app later silently leaves tables missing: research-notes).
SHARED_APPS = [
    "tenants",  # Study/Domain and roles are platform-wide; listed first so its migrate_schemas wins
    "django_tenants",  # mandatory, public schema only
    "django.contrib.contenttypes",  # shared only: listing it in both mislabels permissions (DT#53)
    "django.contrib.auth",  # researchers, administrators and compliance officers are global users
    "django.contrib.sessions",  # page logins happen on the platform host and reach study hosts
    "django.contrib.messages",  # stateless helper, needs no tables
    "django.contrib.staticfiles",  # no tables
    "django.contrib.admin",  # one admin for the platform, on the public schema
    "csp",  # no tables; Content-Security-Policy header
    "rest_framework",  # no tables
    "knox",  # researchers' API tokens (digests with expiry) belong to global users
    "drf_spectacular",  # no tables
    "drf_spectacular_sidecar",  # Swagger UI served locally (no CDN)
    "guardian",  # study-level permissions hang off Study rows in public
    "axes",  # login lockout is about global accounts
    "pgtrigger",  # no tables; its triggers travel with each app's migrations
    "auditlog",  # code and signals only: its entry model is swapped for audit.AuditEntry (no table)
    "audit",  # hash-chained entries for platform-level actions (studies, memberships)
    "compliance",  # no tables; the compliance console and the audit API read the trail by study role
]
TENANT_APPS = [
    # contenttypes stays in public only (research-notes, DT#53); tenant tables reach it via search_path.
    "audit",  # hash-chained, append-only entries per study
    "consent",  # consent documents and records belong to one study
    "pseudonymization",  # participants and their keys are per study: unlinkable across studies
    "flows",  # a study's flow versions, participants' conditions and completed steps
    "games",  # sessions, balloons and events are study data
    "questionnaires",  # a study's questionnaires, responses and their item events
    "traits",  # metrics, fits and profiles are study data
    "dashboard",  # export jobs and their files belong to one study
    "rights",  # deletion requests, tombstones, access secrets and the retention policy are about one study
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Study"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "research_platform.urls_public"
ROOT_URLCONF = "research_platform.urls_tenants"
# A host under the platform domain that names no study (tenants.middleware): every address is one 404.
UNKNOWN_HOST_URLCONF = "research_platform.urls_unknown_host"
DEFAULT_NOT_FOUND_TENANT_VIEW = "research_platform.unknown_host.UnknownHostView"
# New studies are cloned from this migrated template schema instead of replaying migrations.
TENANT_BASE_SCHEMA = "study_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Set search_path once per tenant switch, not before every query (halves round trips).
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "tenants.middleware.StudyTenantMiddleware",  # first: picks the schema and URLconf by host
    "django.middleware.security.SecurityMiddleware",
    "research_platform.hardening.RequestHygieneMiddleware",  # early: refuse oversized or NUL-laden requests
    "research_platform.rate_limits.RateLimitMiddleware",  # before sessions/CSRF: floods are cheap to refuse
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.AuditContextMiddleware",  # actor resolved when an entry is written (token requests too)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.links.links",
            ],
        },
    },
]

WSGI_APPLICATION = "research_platform.wsgi.application"
ASGI_APPLICATION = "research_platform.asgi.application"

DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {"default": database_settings(BASE_DIR, DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Page logins on the platform host also count on study hosts (DT#191).
SESSION_COOKIE_DOMAIN = env_str("SESSION_COOKIE_DOMAIN") or (
    None if PLATFORM_DOMAIN == "localhost" else f".{PLATFORM_DOMAIN}"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Signed-in researchers are signed out after 30 idle minutes (each request renews the cookie).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 10)),
    "TOKEN_PREFIX": "rpk_",  # recognisable in a leaked file or a secret scanner
    "AUTO_REFRESH": False,
}
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Export files are written under MEDIA_ROOT/exports/<schema>/ and served only through a permission check.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    # Refuses what PostgreSQL or the code after it cannot hold: NUL, lone surrogates, non-finite or
    # out-of-range numbers, deep nesting (docs/security.md).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Research platform API",
    "DESCRIPTION": "Studies, consent, the Balloon game, traits and the audit trail.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No call to the public validator service (CSP would block it anyway).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    # Per-host title, a tag per area (rules keyed on the path), the Error body, limit/offset.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "research_platform.openapi_hooks.postprocess",
    ],
    # Each host's schema lists the areas it serves, in this order (research_platform/openapi_hooks.py).
    "TAGS": [
        {"name": "auth", "description": "API tokens for the research team: obtain one, revoke it. Any host."},
        {"name": "studies", "description": "Studies: list, create (platform admins), settings and status."},
        {"name": "members", "description": "Who holds which role on a study (managers)."},
        {"name": "consent", "description": "The consent document participants agree to; drafts, versions, settings."},
        {"name": "participants", "description": "Joining a study, the pseudonymous list, re-identification."},
        {"name": "game", "description": "The Balloon game, for a participant: sessions and event batches."},
        {"name": "questionnaires", "description": "Answers (events) and submission; the study's questionnaires."},
        {"name": "sessions", "description": "Game sessions for the research team: balloons and raw events."},
        {"name": "traits", "description": "Metrics, per-session and study-level model fits, trait profiles."},
        {"name": "exports", "description": "Data exports: streamed files and background export jobs."},
        {
            "name": "questionnaires",
            "description": "Questionnaires: a participant's answers, and the study's questionnaires and scored "
            "responses for the research team (no free text).",
        },
        {"name": "my data", "description": "A participant's own data, profile, withdrawal and deletion request."},
        {"name": "rights", "description": "Deletion requests and certificates, and the study's data-rights settings."},
        {"name": "audit", "description": "The tamper-evident audit trail and its verification (compliance officers)."},
    ],
}

# --- Browser hardening (docs/security.md); production adds HSTS, HTTPS redirect, secure cookies ---
from csp.constants import NONCE, NONE, SELF  # noqa: E402

# Only the platform's own files: no inline script (a nonce for the rare template that needs one),
# no inline style (the API docs page relaxes style-src for itself), no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
CSRF_COOKIE_HTTPONLY = False  # the game's script sends it back in a header (Django's advice)
CSRF_FAILURE_VIEW = "research_platform.error_views.csrf_failure"  # a styled 403, JSON under /api/

# Request size: an event batch of 1,000 events is ~300 KB; 2 MiB leaves room and bounds memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32)

# Rate limits: (requests, window seconds) per key. Keys are accounts, tokens or studies, never IP
# addresses (the platform keeps none); see core/ratelimit.py.
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
RATE_LIMITS = {
    "login": (env_int("RATE_LIMIT_LOGIN", 10), 60),  # per username, token and page logins
    "login_host": (env_int("RATE_LIMIT_LOGIN_HOST", 300), 60),  # all logins on one host
    "enrol": (env_int("RATE_LIMIT_ENROL", 600), 60),  # consents per study (anonymous by nature)
    "enrol_identity": (env_int("RATE_LIMIT_ENROL_IDENTITY", 10), 60),  # per external id (hashed)
    "participant": (env_int("RATE_LIMIT_PARTICIPANT", 240), 60),  # per participant token
    "researcher": (env_int("RATE_LIMIT_RESEARCHER", 1200), 60),  # per researcher API token
    "my_data": (env_int("RATE_LIMIT_MY_DATA", 5), 300),  # /my-data/ sign-ins per participant code
    "my_data_host": (env_int("RATE_LIMIT_MY_DATA_HOST", 60), 60),  # all /my-data/ sign-ins of a study
}

# --- Permissions, lockout, audit --------------------------------------------------------------
GUARDIAN_MONKEY_PATCH_USER = False
ANONYMOUS_USER_NAME = None  # no anonymous-user row: participants are not Django users
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_CALLABLE = "tenants.auth_apis.lockout_response"
# Lock by account, not by IP: the platform keeps no IP addresses, and an attacker rotating
# addresses still hits the same account's counter.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AUDITLOG_DISABLE_REMOTE_ADDR = True  # no IP addresses in audit payloads
# Hash-chained, append-only entries in public and in every study schema (docs/audit.md).
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"

# --- Cache: shared across processes when Redis is there (rate limits must count per platform) ---
_BROKER_URL = broker_url()
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL") or _BROKER_URL
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "rp",
            "TIMEOUT": 300,
        }
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Encryption of identifiers (pseudonymization app; docs/privacy.md) ----------------------
# Master keys (base64 of 32 bytes), comma-separated, the current key first; or PLATFORM_MASTER_KEYS_FILE.
# Local and test settings fall back to a published development key; production requires a real one.
PLATFORM_MASTER_KEYS = env_str("PLATFORM_MASTER_KEYS")
# Ed25519 seed (base64 of 32 bytes) signing the audit chains' checkpoints; or ..._FILE. Kept out of
# the database so its owner cannot sign a rewritten chain (audit/signing.py, docs/audit.md).
PLATFORM_AUDIT_SIGNING_KEY = env_str("PLATFORM_AUDIT_SIGNING_KEY")
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 600)
PLATFORM_MASTER_KEYS_IS_DEVELOPMENT = False
# The WSGI/ASGI entry points open every study key before serving (pseudonymization/key_checks.py).
PLATFORM_VERIFY_KEYS_AT_STARTUP = env_bool("PLATFORM_VERIFY_KEYS_AT_STARTUP", False)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = _BROKER_URL
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A message taken by a worker that then dies (SIGKILL, OOM, lost host) stays "unacked" in Redis and is
# handed to another worker once the visibility timeout has passed (acks_late). The timeout must exceed
# the longest task (a session takes seconds); the fault tests shorten it to see redelivery quickly.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),  # seconds between checks...
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),  # ...scanning every Nth
}
# Beat runs in public; each entry that touches study data queues one task per study (rights.tasks).
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "rights-retention-sweep": {"task": "rights.tasks.retention_sweep", "schedule": crontab(hour=3, minute=17)},
}

# --- Logging: no identifiers, ever; one line per record ---------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Study links carry survey-panel ids in their query string: no request line is logged with one.
    "filters": {"no_query": {"()": "pseudonymization.log_filters.RedactQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's request lines go through the filtered console handler, not Django's own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Balloon game ingestion (games app; docs/game.md) -----------------------------------------
GAME_EVENTS_RATE = env_int("GAME_EVENTS_RATE", 120)  # event batches per participant per minute
GAME_SESSIONS_PER_HOUR = env_int("GAME_SESSIONS_PER_HOUR", 10)  # new game sessions per participant per hour
GAME_ABANDON_AFTER_MINUTES = env_int("GAME_ABANDON_AFTER_MINUTES", 120)
CELERY_BEAT_SCHEDULE["audit-checkpoints"] = {
    "task": "audit.tasks.checkpoint_all",
    "schedule": float(AUDIT_CHECKPOINT_SECONDS),
}
CELERY_BEAT_SCHEDULE["games-abandon-stale-sessions"] = {"task": "games.abandon_stale_sessions", "schedule": 600.0}

# --- Science pipeline catch-up (traits.tasks.process_pending) ---------------------------------
# Completed sessions whose processing was never queued (broker down at completion) are queued by a
# sweep; the grace leaves the normal path (queued on completion) time to finish first.
TRAITS_PENDING_SWEEP_SECONDS = env_int("TRAITS_PENDING_SWEEP_SECONDS", 300)
TRAITS_PENDING_GRACE_SECONDS = env_int("TRAITS_PENDING_GRACE_SECONDS", 300)
# The study-level fit runs again after this many new participants (docs/models.md, "Study-level fit").
TRAITS_HIERARCHICAL_EVERY = env_int("TRAITS_HIERARCHICAL_EVERY", 10)
CELERY_BEAT_SCHEDULE["traits-process-pending"] = {
    "task": "traits.tasks.process_pending",
    "schedule": float(TRAITS_PENDING_SWEEP_SECONDS),
}
