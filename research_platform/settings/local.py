"""Local development: debug on, embedded database and eager tasks unless configured."""

from research_platform.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", False)  # off unless .env (or the environment) turns it on
# Serve static files straight from the app folders while developing (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# No master key configured: use the published development key (identifiers are then NOT protected;
# the pseudonymization system check says so at start-up).
if not PLATFORM_MASTER_KEYS:
    from pseudonymization.crypto import development_master_key

    PLATFORM_MASTER_KEYS = development_master_key()
    PLATFORM_MASTER_KEYS_IS_DEVELOPMENT = True

if not PLATFORM_AUDIT_SIGNING_KEY:  # the published development key: checkpoints then prove nothing
    from audit.signing import development_signing_key

    PLATFORM_AUDIT_SIGNING_KEY = development_signing_key()
