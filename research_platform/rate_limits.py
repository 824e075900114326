"""Which requests count against which rate limit, and the middleware that refuses floods.

The limiter itself is core/ratelimit.py. Keys are accounts (hashed usernames), tokens (hashed),
external ids (hashed) or a whole study, never IP addresses: the platform stores none, not even in its
cache. The price is that anonymous enrolment can only be limited per study (and per external id);
docs/security.md weighs this. Over a limit: 429 with ``Retry-After``, in the API's error shape under
/api/ (and for JSON clients), else the styled error page saying how long to wait.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from core.ratelimit import consume, limited_response
from pseudonymization.crypto import InvalidExternalId, normalize_external_id

LOGIN_PATHS = {"/api/v1/auth/token/", "/accounts/login/", "/admin/login/"}
ENROL_PATHS = {"/api/v1/participants/", "/consent/", "/"}
PARTICIPANT_PREFIXES = ("/api/v1/game/", "/api/v1/me/")


@dataclass(frozen=True)
class Hit:
    rule: str
    identity: str


def _body_field(request: HttpRequest, name: str) -> str:
    """A top-level field of a JSON or form body, or "" (whatever is wrong is the view's to say)."""
    try:
        if request.content_type == "application/json":
            data = json.loads(request.body or b"{}")
            value = data.get(name) if isinstance(data, dict) else None
        else:
            value = request.POST.get(name)
    except (ValueError, RecursionError, RequestDataTooBig):
        return ""
    return str(value).strip()[:500] if value else ""


def _bearer(request: HttpRequest, scheme: str) -> str:
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    return parts[1] if len(parts) == 2 and parts[0] == scheme else ""


def _same_id(raw: str) -> str:
    """The id as enrolment will match it (case folding, NFKC, trimming): 12 case variants are one id."""
    try:
        return normalize_external_id(raw).casefold()  # casefold: as crypto.blind_index matches
    except InvalidExternalId:
        return raw  # refused by enrolment anyway; still counted, under its own spelling


def hits_for(request: HttpRequest) -> list[Hit]:
    """Which limits this request counts against."""
    path, method = request.path_info, request.method
    schema = getattr(getattr(request, "tenant", None), "schema_name", "public")
    hits: list[Hit] = []
    if method == "POST" and path in LOGIN_PATHS:
        hits.append(Hit("login_host", schema))
        username = _body_field(request, "username").lower()
        if username:
            hits.append(Hit("login", username))
    if method == "POST" and schema != "public" and path in ENROL_PATHS:
        hits.append(Hit("enrol", schema))
        external_id = _body_field(request, "external_id")
        if external_id:
            hits.append(Hit("enrol_identity", f"{schema}:{_same_id(external_id)}"))
    # Confirmed pumps come one per pump (games/confirmation.py) and carry their own, higher limit.
    if path.startswith(PARTICIPANT_PREFIXES) and not path.endswith("/confirm/"):
        token = _bearer(request, "Bearer") or request.COOKIES.get("participant_token", "")
        if token:
            hits.append(Hit("participant", f"{schema}:{token}"))
    researcher_token = _bearer(request, "Token")
    if researcher_token and path.startswith("/api/"):
        hits.append(Hit("researcher", researcher_token))
    return hits


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.RATE_LIMITS_ENABLED:
            waits = [consume(hit.rule, hit.identity) for hit in hits_for(request)]
            retry_after = max(waits, default=0)
            if retry_after:
                return limited_response(request, retry_after)
        return self.get_response(request)
