"""Test-only URLconf of a study host: views that raise each error, in front of the real study routes."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path

from research_platform import urls_tenants


def _raiser(status: int) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        if status == 500:
            raise RuntimeError("boom: a bug in a view")
        raise {400: SuspiciousOperation("refused"), 403: PermissionDenied(), 404: Http404()}[status]

    return view


RAISING: list[URLPattern] = [
    path(f"{prefix}raise/{status}/", _raiser(status)) for status in (400, 403, 404, 500) for prefix in ("", "api/v1/")
]

urlpatterns = [*RAISING, *urls_tenants.urlpatterns]
handler400 = urls_tenants.handler400
handler403 = urls_tenants.handler403
handler404 = urls_tenants.handler404
handler500 = urls_tenants.handler500
