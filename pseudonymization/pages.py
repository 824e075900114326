"""Helpers for template pages on a study host (e.g. `/play/`): who is the participant, and the consent gate."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from pseudonymization.authentication import COOKIE_NAME, token_lookup
from pseudonymization.models import Participant

CONSENT_URL = "/consent/"


def participant_from_request(request: HttpRequest) -> Participant | None:
    """The participant of the `participant_token` cookie on this study's host, or None."""
    token = request.COOKIES.get(COOKIE_NAME)
    if not token:
        return None
    row = token_lookup(token)
    return row.participant if row is not None else None


def consent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Redirect to `/consent/` unless the cookie's participant holds a current, not withdrawn consent.

    The view finds the participant as ``request.participant``.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from consent.selectors import participant_has_active_consent

        participant = participant_from_request(request)
        if participant is None or not participant_has_active_consent(participant=participant):
            return redirect(CONSENT_URL)
        request.participant = participant  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
