"""Participant authentication: a study-scoped bearer token, in a header or the HttpOnly cookie."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from pseudonymization.crypto import token_hash
from pseudonymization.models import Participant, ParticipantToken

COOKIE_NAME = "participant_token"
KEYWORD = "Bearer"


@dataclass
class ParticipantPrincipal:
    """What request.user is for a participant: authenticated, but never a Django user."""

    participant: Participant
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    is_active: bool = True

    @property
    def pk(self) -> int:
        return self.participant.pk

    def __str__(self) -> str:
        return self.participant.participant_code


def token_from_request(request: HttpRequest) -> tuple[str | None, str]:
    """(token, where): the Authorization header wins over the cookie."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        parts = header.split()
        if len(parts) == 2 and parts[0] == KEYWORD:
            return parts[1], "header"
        return None, "header"
    return request.COOKIES.get(COOKIE_NAME) or None, "cookie"


def token_lookup(token: str) -> ParticipantToken | None:
    """The token row in the CURRENT study's schema: another study's token is simply unknown here.

    A revoked token counts only when its participant's withdrawal revoked it: it still says who is
    asking, so participant endpoints can answer 409 `withdrawn` and the person's own rights
    endpoints (``allow_withdrawn``) still work from the same browser. Any other revocation is final.
    """
    if connection.schema_name == "public" or not token or len(token) > 200:
        return None
    row = (
        ParticipantToken.objects.select_related("participant")
        .filter(token_hash=token_hash(token), expires_at__gt=timezone.now())
        .first()
    )
    if row is None or row.participant.status == Participant.Status.ERASED:
        return None
    if row.revoked_at is not None:
        participant = row.participant
        withdrawn_at = participant.withdrawn_at
        if participant.status != Participant.Status.WITHDRAWN or withdrawn_at is None or row.revoked_at < withdrawn_at:
            return None
    return row


class _CookieCSRFCheck(authentication.SessionAuthentication):
    """Borrow DRF's CSRF check: a cookie is sent by the browser on its own, a header is not."""

    def check(self, request: Request) -> None:
        self.enforce_csrf(request)


class ParticipantTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` or the `participant_token` cookie (which also needs CSRF on writes)."""

    def authenticate(self, request: Request) -> tuple[ParticipantPrincipal, ParticipantToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header and header.split()[:1] != [KEYWORD]:
            return None  # another scheme (e.g. a researcher's Token): not ours to judge
        token, where = token_from_request(request._request)
        if token is None:
            if where == "header":
                raise exceptions.AuthenticationFailed("Malformed Bearer authorization header.")
            return None
        row = token_lookup(token)
        if row is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked participant token.")
        if where == "cookie":
            _CookieCSRFCheck().check(request)
        return ParticipantPrincipal(participant=row.participant), row

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) when no credentials were sent.
        return f'{KEYWORD} realm="participant"'
