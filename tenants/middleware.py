"""Routes each request by host: the platform host to public, <slug>.PLATFORM_DOMAIN to its study."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.postgresql_backend.base import FakeTenant
from django_tenants.utils import get_public_schema_name


class PlatformTenant(FakeTenant):
    """The platform host: public schema, no Study row behind it."""

    is_platform = True
    slug = None
    pk = None

    def __init__(self, domain_url: str) -> None:
        super().__init__(schema_name=get_public_schema_name())
        self.domain_url = domain_url


def platform_hosts() -> set[str]:
    return {settings.PLATFORM_DOMAIN, *settings.PLATFORM_EXTRA_HOSTS}


class StudyTenantMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        connection.set_schema_to_public()
        try:
            hostname = self.hostname_from_request(request)
        except Exception:  # DisallowedHost and malformed Host headers alike
            return self.no_tenant_found(request, "")
        if hostname in platform_hosts():
            request.tenant = PlatformTenant(hostname)
            self.setup_url_routing(request, force_public=True)
            return None
        return super().process_request(request)
