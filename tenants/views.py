"""Pages of the tenants app that are not API: the unknown-host page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import View

from research_platform.errors import error_body


class UnknownHostView(View):
    """Any host that is neither the platform nor a study: a plain 404 that names nothing."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.headers.get("Accept", "").startswith("application/json") or request.path.startswith("/api/"):
            body = error_body("unknown_host", "No study is served at this address.")
            return JsonResponse(body, status=404)
        html = render_to_string("tenants/unknown_host.html", {})
        return HttpResponse(html, status=404)
