"""POST /api/v1/game/sessions/{id}/events/ — the one participant endpoint on the hot path.

Every player sends a batch every two seconds, so this endpoint is a plain Django view rather than
a DRF APIView: DRF's request wrapper, content negotiation, authentication and permission classes
and its ORM look-ups cost about as much as storing the batch (bench/profile_ingestion.py). It
keeps every guarantee of the DRF endpoints: the same token rules and consent gate (one SQL
statement, games/ingestion.py), CSRF when the token comes from the cookie, the same JSON safety
rules (core.parsers.loads_bytes), the rate limit, and the same error bodies and
status codes. The DRF class in games/apis.py documents it in the OpenAPI schema and delegates here.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authentication import CSRFCheck

from core.errors import ApplicationError, error_body
from core.parsers import TooDeep, UnsafeJSON, loads_bytes
from core.ratelimit import refuse_over_limit
from games.ingestion import MAX_BATCH_BYTES, AuthenticationRefused, check_batch_size, ingest_for_token
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


def _admit(request: HttpRequest, participant_id: int) -> None:
    """After the gate, before the body is read: the size of the body, then the rate limit."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BATCH_BYTES:
        raise ApplicationError(
            "payload_too_large",
            f"A batch body holds at most {MAX_BATCH_BYTES} bytes.",
            details={"max_bytes": MAX_BATCH_BYTES},
            status_code=413,
        )
    limit = int(getattr(settings, "GAME_EVENTS_RATE", 120))
    if limit > 0:  # per participant, counted in the shared cache (Redis in production)
        refuse_over_limit(
            f"games:rate:{connection.schema_name}:{participant_id}",
            limit=limit,
            window=60,
            message=f"At most {limit} batches a minute; retry later.",
        )


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_SHAPE = 'A batch is {"sent_at": ms, "events": [...]}.'


def _read_batch(request: HttpRequest) -> tuple[Any, int | None]:
    """The body as (events, sent_at), with the refusals of the DRF parser and the batch shape."""
    content_type = request.content_type or ""
    if content_type in _FORMS or not request.body:
        raise ApplicationError("malformed_batch", _SHAPE, status_code=400)  # what the DRF parsers gave
    if content_type != "application/json":
        raise ApplicationError(
            "unsupported_media_type", f'Unsupported media type "{content_type}" in request.', status_code=415
        )
    try:
        body = loads_bytes(request.body, max_depth=settings.JSON_MAX_DEPTH)
    except UnicodeDecodeError as exc:
        raise ApplicationError("malformed_request", "The body is not valid UTF-8.") from exc
    except TooDeep as exc:
        raise ApplicationError("malformed_request", f"The JSON body was refused: {exc.message}.") from exc
    except UnsafeJSON as exc:
        if exc.path:
            raise ApplicationError("invalid", "The request is not valid.", details={exc.path: [exc.message]}) from exc
        raise ApplicationError("malformed_request", f"The JSON body was refused: {exc.message}.") from exc
    except ValueError as exc:
        raise ApplicationError(
            "malformed_request", f"The JSON body could not be read: {exc.__class__.__name__}."
        ) from exc
    if not isinstance(body, dict) or "events" not in body:
        raise ApplicationError("malformed_batch", _SHAPE, status_code=400)
    check_batch_size(body["events"])
    sent_at = body.get("sent_at")
    if sent_at is not None and (isinstance(sent_at, bool) or not isinstance(sent_at, int) or sent_at < 0):
        raise ApplicationError(
            "malformed_batch", "'sent_at' must be wall-clock milliseconds (an integer).", status_code=400
        )
    return body["events"], sent_at


@csrf_exempt  # checked in _credentials, for cookie-borne tokens only (as DRF does)
def session_events(request: HttpRequest, session_id: Any) -> HttpResponse:
    if request.method != "POST":
        response = _error(
            ApplicationError("method_not_allowed", f'Method "{request.method}" not allowed.', status_code=405)
        )
        response["Allow"] = "POST, OPTIONS"
        return response
    try:
        result = ingest_for_token(
            token_hash=_credentials(request),
            session_id=session_id,
            admit=lambda participant_id: _admit(request, participant_id),
            read_batch=lambda: _read_batch(request),
        )
    except ApplicationError as exc:
        return _error(exc)
    return _json(result.as_dict())
