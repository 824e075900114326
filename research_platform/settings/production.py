"""Production: every secret must come from the environment (or a *_FILE); no defaults."""

from research_platform.env import env_bool, env_int, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)
if env_str("DATABASE_URL") is None:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Production needs DATABASE_URL; the embedded cluster is for development.")

# X-Forwarded-Proto means "this came in over HTTPS" only when our own proxy sets it and overwrites
# whatever the client sent; trusted without such a proxy, any client could claim HTTPS. So it is
# trusted only when the operator says so, and the HTTPS redirect (which needs to know) refuses to
# start without that (docs/operations.md, "Behind a reverse proxy").
TRUST_X_FORWARDED_PROTO = env_bool("TRUST_X_FORWARDED_PROTO", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUST_X_FORWARDED_PROTO else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Only allows submission to browsers' preload lists; submitting stays the operator's decision.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Identifiers are encrypted under these keys: refuse to start without valid ones (docs/privacy.md).
PLATFORM_MASTER_KEYS = env_str("PLATFORM_MASTER_KEYS", required=True)
PLATFORM_MASTER_KEYS_IS_DEVELOPMENT = False
PLATFORM_VERIFY_KEYS_AT_STARTUP = env_bool("PLATFORM_VERIFY_KEYS_AT_STARTUP", True)
try:
    from pseudonymization.crypto import KeyConfigurationError, parse_master_keys

    if any(key.is_development for key in parse_master_keys(PLATFORM_MASTER_KEYS)):
        raise KeyConfigurationError("PLATFORM_MASTER_KEYS contains the published development key.")
except KeyConfigurationError as _exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(str(_exc)) from _exc

PLATFORM_AUDIT_SIGNING_KEY = env_str("PLATFORM_AUDIT_SIGNING_KEY", required=True)
from audit.signing import development_signing_key  # noqa: E402

if PLATFORM_AUDIT_SIGNING_KEY == development_signing_key():
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PLATFORM_AUDIT_SIGNING_KEY is the published development key.")

# Checked last, so a missing secret or key is what a bare environment is told first.
if SECURE_SSL_REDIRECT and not TRUST_X_FORWARDED_PROTO:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECURE_SSL_REDIRECT is on but TRUST_X_FORWARDED_PROTO is not: behind a reverse proxy that sets "
        "X-Forwarded-Proto itself (overwriting the client's), set TRUST_X_FORWARDED_PROTO=true; "
        "without such a proxy, set SECURE_SSL_REDIRECT=false and terminate TLS in front of the platform."
    )
