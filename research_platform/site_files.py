"""Files browsers ask every host for by a fixed address: /favicon.ico.

Pages link static/favicon.svg themselves (templates/base.html, the admin's base_site.html); browsers
and tools that ask for /favicon.ico anyway are sent there, so no host answers it with a 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # static() at request time: in production it names the hashed file from the manifest. A temporary
    # redirect, cached for a day, so a new icon (a new hashed name) is picked up.
    response = HttpResponseRedirect(static("favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns: list[URLPattern] = [path("favicon.ico", favicon, name="favicon")]
