"""Where the database and the broker are: external when configured, embedded/eager otherwise.

With ``DATABASE_URL`` unset, a project-local PostgreSQL cluster from the ``pgserver`` wheel is
started on demand under ``.pgdata/`` and reused between runs, so ``make run`` and ``make test``
need no database server on the machine. With ``REDIS_URL`` unset, Redis is used when it answers
at the default address; otherwise Celery runs tasks eagerly in-process.
"""

from __future__ import annotations

import logging
import os
import socket
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url

EMBEDDED_DB_NAME = "research_platform"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


# The embedded cluster's size: room for `make run`'s processes (gunicorn workers x threads, the Celery
# worker and beat) at under 60 % of max_connections, and buffers for a laptop-sized study.
EMBEDDED_SETTINGS = {"max_connections": "200", "shared_buffers": "256MB"}
_INCLUDE = "include_if_exists = 'platform.conf'"


def embedded_cluster_size(server: Any, data_dir: Path) -> None:
    """Write the platform's settings into the cluster (once) and restart it if it runs with others."""
    conf = data_dir / "platform.conf"
    wanted = "# Written by research_platform.services_config; edit EMBEDDED_SETTINGS there.\n" + "".join(
        f"{name} = {value}\n" for name, value in EMBEDDED_SETTINGS.items()
    )
    if not conf.exists() or conf.read_text() != wanted:
        conf.write_text(wanted)
    main = data_dir / "postgresql.conf"
    if _INCLUDE not in main.read_text():
        with main.open("a") as handle:
            handle.write(f"\n{_INCLUDE}\n")
    running = server.psql("SHOW max_connections;")
    if EMBEDDED_SETTINGS["max_connections"] not in running.split():
        import pgserver

        # pg_ctl restart reuses the options the cluster was started with (postmaster.opts).
        user = getattr(server, "system_user", None)  # as root, pgserver runs postgres as another user
        pgserver.pg_ctl(["-w", "-m", "fast", "restart"], pgdata=data_dir, user=user, timeout=30)


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the project-local cluster and return a URL to its platform database."""
    # pgserver logs at INFO from an atexit hook, after test runners have closed their streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(str(data_dir), cleanup_mode=None)
    embedded_cluster_size(server, data_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    return f"postgresql://postgres:@/{EMBEDDED_DB_NAME}?host={data_dir}"


def database_settings(base_dir: Path, url: str | None) -> dict[str, Any]:
    """Django DATABASES['default'] for the external URL, or for the embedded cluster."""
    if not url:
        url = embedded_database_url(base_dir / ".pgdata")
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    # A Unix-socket directory given as ?host=/path lands in OPTIONS; Django wants it in HOST.
    options = dict(config.get("OPTIONS") or {})
    if not config.get("HOST") and "host" in options:
        config["HOST"] = options.pop("host")
        config["OPTIONS"] = options
    # django-tenants needs its own backend (it sets search_path per connection).
    config["ENGINE"] = "django_tenants.postgresql_backend"
    return config


def redis_reachable(url: str, timeout: float = 0.3) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=timeout):
            return True
    except OSError:
        return False


def broker_url() -> str | None:
    """The broker to use, or None when tasks must run eagerly."""
    explicit = os.environ.get("REDIS_URL")
    if explicit:
        return explicit
    if os.environ.get("CELERY_EAGER", "").lower() in {"1", "true", "yes", "on"}:
        return None
    return DEFAULT_REDIS_URL if redis_reachable(DEFAULT_REDIS_URL) else None
