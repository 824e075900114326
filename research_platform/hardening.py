"""Request hygiene before any view runs, and the response headers Django does not set itself.

Refused early, with the API's error shape under /api/ (and for JSON clients) and the styled error
pages elsewhere:
- a declared body larger than DATA_UPLOAD_MAX_MEMORY_SIZE -> 413 (bodies without a length are
  cut off by Django while reading, which ``too_large_response`` answers the same way);
- a NUL character in the path or the query string -> 400 (PostgreSQL cannot compare against it,
  so a filter on it would otherwise end as a 500).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.responses import malformed_response, too_large_response


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class RequestHygieneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        response = refusal if refusal is not None else self.get_response(request)
        return self._decorate(request, response)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return malformed_response(request, "The Content-Length header is not a number.")
        if length < 0:
            return malformed_response(request, "The Content-Length header is negative.")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_large_response(request)
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            return malformed_response(request, "The address contains a NUL character.")
        return None

    @staticmethod
    def _decorate(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if _is_api(request):
            # Tokens, participant codes and study data must not linger in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
