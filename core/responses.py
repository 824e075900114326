"""Refusal responses that need nothing but the settings: the API's error shape for /api/ and JSON
clients, a styled page rendered from the settings alone for everyone else.

They serve refusals made before sessions and users exist (a bad Host header, an oversized body, a
flood) and answers to requests that are themselves suspect, so they never touch the request's
session, user or database.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template

from core.errors import error_body
from core.links import links


def wants_json(request: HttpRequest) -> bool:
    """The API's error shape for /api/ and for clients that ask for JSON; a styled page for the rest."""
    return request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json")


def _plain_context() -> dict[str, Any]:
    """What every error template needs, from the settings alone."""
    return dict(links(None))


def plain_error_page(template: str, status: int, **context: Any) -> HttpResponse:
    """An error page rendered from the settings alone: for refusals made before sessions and users
    exist (a bad Host header, an oversized body, a flood), and when the request itself is suspect."""
    return HttpResponse(get_template(template).render({**_plain_context(), **context}), status=status)


def too_large_response(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if wants_json(request):
        body = error_body("too_large", "The request body is too large.", {"max_bytes": limit})
        return JsonResponse(body, status=413)
    return plain_error_page("errors/413.html", 413, max_bytes=limit)


def malformed_response(request: HttpRequest, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(error_body("malformed_request", message), status=400)
    return plain_error_page("errors/400.html", 400)
