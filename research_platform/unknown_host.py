"""Pages of the tenants app that are not API: the answer for a host that names no study."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import View

from research_platform.error_views import not_found


class UnknownHostView(View):
    """Any host that is neither the platform nor a study: the very 404 of a missing page on a real
    study host (JSON under /api/), so that no answer tells whether a study exists."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return not_found(request)
