"""Who the participant of a template page on a study host is (the `participant_token` cookie).

Whether they may see the page is the consent gate's: `consent.gate.consent_required`.
"""

from __future__ import annotations

from django.http import HttpRequest

from pseudonymization.authentication import COOKIE_NAME, token_lookup
from pseudonymization.models import Participant


def participant_from_request(request: HttpRequest) -> Participant | None:
    """The participant of the `participant_token` cookie on this study's host, or None."""
    token = request.COOKIES.get(COOKIE_NAME)
    if not token:
        return None
    row = token_lookup(token)
    return row.participant if row is not None else None
