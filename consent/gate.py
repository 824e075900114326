"""The consent gate: what every participant endpoint (ParticipantAPIView) and page (consent_required) checks.

Identity (the token, the cookie) is pseudonymization's; whether that person may take part now is
consent's: a withdrawn participant gets 409 on the API, one without a current agreement 403 or a
redirect to the consent page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from consent.selectors import participant_has_active_consent
from core.errors import ApplicationError
from pseudonymization.authentication import ParticipantPrincipal, ParticipantTokenAuthentication
from pseudonymization.models import Participant
from pseudonymization.pages import participant_from_request

CONSENT_URL = "/consent/"

# What decides who gets through: a subclass that redefines one of these replaces the gate, which it
# may only do by saying why in ``dangerously_replaces_gate``.
GATE_HOOKS = (
    "authentication_classes",
    "permission_classes",
    "get_authenticators",
    "get_permissions",
    "check_permissions",
    "perform_authentication",
)


class HasActiveConsent(permissions.BasePermission):
    """401 without a participant, 409 `withdrawn` after withdrawal, 403 `consent_required` otherwise."""

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, ParticipantPrincipal):
            return False  # DRF turns this into 401 because no authenticator succeeded
        participant = principal.participant
        if participant.status == Participant.Status.WITHDRAWN:
            if getattr(view, "allow_withdrawn", False):
                return True  # their own rights (data, deletion): no consent is needed for those
            raise ApplicationError(
                "withdrawn", "You withdrew your consent; no further data is accepted.", status_code=409
            )
        if getattr(view, "require_consent", True) and not participant_has_active_consent(participant=participant):
            raise ApplicationError(
                "consent_required", "Consent to the current consent document is required first.", status_code=403
            )
        return True


class ParticipantAPIView(APIView):
    """Base of every participant endpoint; use ``self.participant``.

    ``allow_withdrawn = True`` lets a withdrawn participant through (their data and deletion
    requests); ``require_consent = False`` skips the consent check (withdrawal itself). Both must
    be booleans. A subclass cannot redefine the authentication or permission hooks (GATE_HOOKS)
    unless ``dangerously_replaces_gate`` says why: a forgotten gate fails at import, not in use.
    """

    authentication_classes = [ParticipantTokenAuthentication]
    permission_classes = [HasActiveConsent]
    allow_withdrawn: ClassVar[bool] = False
    require_consent: ClassVar[bool] = True
    dangerously_replaces_gate: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for flag in ("allow_withdrawn", "require_consent"):
            # A truthy string such as "False" would silently open (or close) the gate.
            if not isinstance(getattr(cls, flag), bool):
                raise TypeError(f"{cls.__name__}.{flag} must be True or False.")
        if not isinstance(cls.dangerously_replaces_gate, str):
            raise TypeError(f"{cls.__name__}.dangerously_replaces_gate must be a reason (a string).")
        # The resolved attribute, not cls.__dict__: a mixin anywhere in the bases can replace a hook too.
        replaced = [hook for hook in GATE_HOOKS if getattr(cls, hook) is not getattr(ParticipantAPIView, hook)]
        if replaced and not cls.dangerously_replaces_gate.strip():
            raise TypeError(
                f"{cls.__name__} must not replace the consent gate of ParticipantAPIView ({', '.join(replaced)}); "
                "set dangerously_replaces_gate to the reason if it really must."
            )

    @property
    def participant(self) -> Participant:
        principal = self.request.user
        assert isinstance(principal, ParticipantPrincipal)
        return principal.participant


def consent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Redirect to `/consent/` unless the cookie's participant holds a current, not withdrawn consent.

    The view finds the participant as ``request.participant``.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        participant = participant_from_request(request)
        if participant is None or not participant_has_active_consent(participant=participant):
            return redirect(CONSENT_URL)
        request.participant = participant  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
