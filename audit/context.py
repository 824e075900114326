"""Who is acting: resolved when an entry is written, not when the request starts.

auditlog's middleware reads ``request.user`` before DRF has authenticated a token request, so API
changes lose their actor (AL#137, AL#711). Here the middleware only remembers the request; the
actor is read from it when an entry is saved. DRF's ``Request.user`` setter also sets the user on
the underlying Django request, so token-authenticated users are seen. Celery tasks and code
without a request use ``audit_actor(...)`` (audit.celery_hooks sets it for every task).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_actor: ContextVar[tuple[Any, str] | None] = ContextVar("audit_actor", default=None)
# Set by the auditlog pre_log hook for the entry about to be written: (object key, study, repr).
_pending: ContextVar[tuple[tuple[str, str], str, str] | None] = ContextVar("audit_pending", default=None)


def user_label(user: Any) -> str:
    """A pseudonymous label for a platform user: the row id, never the name or e-mail."""
    return f"user:{user.pk}"


@contextmanager
def audit_actor(user: Any = None, label: str = "") -> Iterator[None]:
    """Attribute entries written inside the block to ``user`` (a User) and/or ``label``."""
    token = _actor.set((user, label))
    try:
        yield
    finally:
        _actor.reset(token)


def _from_principal(principal: Any) -> tuple[int | None, str] | None:
    if principal is None or not getattr(principal, "is_authenticated", False):
        return None
    participant = getattr(principal, "participant", None)
    if participant is not None:  # pseudonymization.authentication.ParticipantPrincipal
        return None, f"participant:{participant.participant_code}"
    from django.contrib.auth import get_user_model

    if isinstance(principal, get_user_model()):
        return principal.pk, user_label(principal)
    return None


def current_actor() -> tuple[int | None, str]:
    """(user id or None, pseudonymous label) of whoever is acting right now."""
    explicit = _actor.get()
    if explicit is not None:
        user, label = explicit
        if user is not None:
            resolved = _from_principal(user)
            if resolved is not None:
                return resolved[0], label or resolved[1]
        return None, label or "system"
    request = _request.get()
    if request is not None:
        resolved = _from_principal(getattr(request, "user", None))
        if resolved is not None:
            return resolved
        return None, "anonymous"
    return None, "system"


def set_pending(key: tuple[str, str], study: str, repr_: str) -> None:
    _pending.set((key, study, repr_))


def take_pending(object_pk: str) -> tuple[str, str] | None:
    """(study, safe repr) left by the pre_log hook for the entry about ``object_pk``; taken once.

    The entry model asks for it when it saves (audit.models), so this module never needs the model.
    """
    pending = _pending.get()
    if pending is None or pending[0][1] != object_pk:
        return None
    _pending.set(None)
    return pending[1], pending[2]


class AuditContextMiddleware:
    """Remember the request so entries written while it is handled can name their actor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
