"""Base class of every participant endpoint: token authentication plus the consent gate."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from core.errors import ApplicationError
from pseudonymization.authentication import ParticipantPrincipal, ParticipantTokenAuthentication
from pseudonymization.models import Participant


class HasActiveConsent(permissions.BasePermission):
    """401 without a participant, 409 `withdrawn` after withdrawal, 403 `consent_required` otherwise."""

    def has_permission(self, request: Request, view: Any) -> bool:
        from consent.selectors import participant_has_active_consent  # consent depends on us, not back

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
    """Subclass for participant endpoints; use ``self.participant``.

    ``allow_withdrawn = True`` lets a withdrawn participant through (their data and deletion
    requests); ``require_consent = False`` skips the consent check (withdrawal itself).
    """

    authentication_classes = [ParticipantTokenAuthentication]
    permission_classes = [HasActiveConsent]
    allow_withdrawn = False
    require_consent = True

    @property
    def participant(self) -> Participant:
        principal = self.request.user
        assert isinstance(principal, ParticipantPrincipal)
        return principal.participant
