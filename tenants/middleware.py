"""Routes each request by host: the platform host to public, <slug>.PLATFORM_DOMAIN to its study, any
other name under the platform domain to a URLconf where every address is the one 404."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import set_urlconf
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


class UnknownHostTenant(FakeTenant):
    """A host under the platform domain that names no study: public schema, no study, every page 404."""

    is_platform = False
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

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse | None:
        if not hostname:  # a Host header Django refuses: answered here, before anything reads it again
            return super().no_tenant_found(request, hostname)
        # An allowed name with no study behind it goes through the rest of the middleware like a real
        # study host, so its 404 has the same status, body and headers (CSP, cookies, Vary) as a
        # missing page on a study that exists: the answer must not tell whether a study exists.
        request.tenant = UnknownHostTenant(hostname)
        request.urlconf = settings.UNKNOWN_HOST_URLCONF
        set_urlconf(settings.UNKNOWN_HOST_URLCONF)
        return None
