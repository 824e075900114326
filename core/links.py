"""Absolute addresses of the platform host and of a study host, from the settings (pure of requests).

Pages on one host link to the other (a study dashboard to the platform home, the compliance console
to a study); both need the configured scheme and port, not the request's.
"""

from __future__ import annotations

from django.conf import settings


def _origin(host: str) -> str:
    port = settings.PLATFORM_PORT
    default_port = (settings.PLATFORM_SCHEME == "http" and port == 80) or (
        settings.PLATFORM_SCHEME == "https" and port == 443
    )
    return f"{settings.PLATFORM_SCHEME}://{host}{'' if default_port else f':{port}'}"


def platform_url(path: str = "/") -> str:
    """``path`` on the platform host (the front door, the admin, the compliance console)."""
    return _origin(settings.PLATFORM_DOMAIN) + path


def study_url(slug: str, path: str = "/") -> str:
    """``path`` on the study host ``<slug>.PLATFORM_DOMAIN``."""
    return _origin(f"{slug}.{settings.PLATFORM_DOMAIN}") + path


def links(request: object) -> dict[str, str]:
    """Template context processor: where the platform's own pages are, from any host."""
    return {
        "platform_home_url": platform_url("/"),
        "compliance_console_url": platform_url("/compliance/"),
        "platform_admin_url": platform_url("/admin/"),
    }
