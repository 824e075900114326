"""Local development (`make run`): DEBUG stays off unless DEBUG=true (.env or the environment); static
files straight from the app folders; the published development keys when none are configured. From base.py:
no DATABASE_URL means the embedded cluster, and no reachable Redis means tasks run eagerly.
"""

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
