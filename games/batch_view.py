"""POST /api/v1/game/sessions/{id}/events/ — the one participant endpoint on the hot path.

Every player sends a batch every two seconds, so this endpoint is a plain Django view rather than
a DRF APIView: DRF's request wrapper, content negotiation, authentication and permission classes
and its ORM look-ups cost about as much as storing the batch (bench/profile_ingestion.py). It
keeps every guarantee of the DRF endpoints: the same token rules and consent gate (one SQL
statement), the same JSON safety rules (core.parsers.loads_bytes), the rate limit (all three in
games/ingestion.py, which parses the body only after the gate), CSRF when the token comes from the
cookie, and the same error bodies and status codes. The DRF class in games/apis.py documents it in
the OpenAPI schema and delegates here.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authentication import CSRFCheck

from core.errors import ApplicationError, error_body
from games.ingestion import AuthenticationRefused, ingest_for_token
from pseudonymization.authentication import KEYWORD, token_from_request
from pseudonymization.crypto import token_hash

_AUTH_HEADER = f'{KEYWORD} realm="participant"'


def _json(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


def _error(exc: ApplicationError) -> HttpResponse:
    response = _json(error_body(exc.code, exc.message, exc.details), exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = _AUTH_HEADER
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _credentials(request: HttpRequest) -> str:
    """The token's hash, after the CSRF check for a cookie; raises the 401/403 the DRF endpoints give."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header and header.split()[:1] != [KEYWORD]:
        # Another scheme (e.g. a researcher's Token) is not a participant's credential.
        raise ApplicationError("not_authenticated", "Authentication credentials were not provided.", status_code=401)
    token, where = token_from_request(request)
    if token is None:
        if where == "header":
            raise ApplicationError("authentication_failed", "Malformed Bearer authorization header.", status_code=401)
        raise ApplicationError("not_authenticated", "Authentication credentials were not provided.", status_code=401)
    if len(token) > 200 or connection.schema_name == "public":
        raise AuthenticationRefused()
    if where == "cookie":
        # The browser sends the cookie on its own, so a cookie-borne write needs the CSRF token too.
        # CSRFCheck is Django's middleware answering with its reason (what DRF's own check uses).
        check = CSRFCheck(lambda _request: None)  # type: ignore[arg-type]
        check.process_request(request)
        reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
        if reason:
            raise ApplicationError("permission_denied", f"CSRF Failed: {reason}", status_code=403)
    return token_hash(token)


@csrf_exempt  # checked in _credentials, for cookie-borne tokens only (as DRF does)
def session_events(request: HttpRequest, session_id: Any) -> HttpResponse:
    if request.method != "POST":
        response = _error(
            ApplicationError("method_not_allowed", f'Method "{request.method}" not allowed.', status_code=405)
        )
        response["Allow"] = "POST, OPTIONS"
        return response
    # The bytes are read here, first, and parsed only by the service once the token passed its gate.
    # First, because the CSRF check of a cookie-borne token reads a form body from the stream, after
    # which Django refuses to hand out the raw bytes; RequestHygieneMiddleware has already refused a
    # declared length over DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.body
    try:
        result = ingest_for_token(
            token_hash=_credentials(request),
            session_id=session_id,
            content_type=request.content_type or "",
            body=body,
        )
    except ApplicationError as exc:
        return _error(exc)
    return _json(result.as_dict())
