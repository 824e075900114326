"""Sign-in hand-off from the platform host to a study host: a signed, one-time, 60-second ticket.

On ``localhost`` a browser keeps the platform's session cookie to ``localhost`` alone (a cookie's
Domain=localhost is host-only in Chromium and Firefox), so "Open dashboard" on the front door would
meet a second sign-in form. The platform host signs a ticket naming the user, the study, where to
go and when the user last typed their password; the study host checks it, marks it used and signs
the same user in. Only members of the study get a ticket, and the study host checks the role again.
The password time travels with the ticket so that a hand-off never counts as a fresh login
(``tenants.credentials.require_recent_login``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import ApplicationError
from tenants.models import LoginHandoff, Study

TICKET_LIFETIME = timedelta(seconds=60)
_SALT = "tenants.handoff"


@dataclass(frozen=True)
class Handoff:
    user: Any
    next_path: str
    login_at: str | None


def safe_next(path: str | None, default: str = "/") -> str:
    """A path on the same host only: no scheme, no other host, no protocol-relative ``//``."""
    if path and path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path
    return default


def handoff_issue(*, user: Any, study: Study, next_path: str, login_at: str | None) -> str:
    payload = {
        "u": user.pk,
        "s": study.slug,
        "n": secrets.token_hex(16),
        "p": safe_next(next_path),
        "l": login_at,
        # A password change or deactivation in between makes the ticket worthless.
        "h": user.get_session_auth_hash(),
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def handoff_redeem(*, ticket: str, study: Study) -> Handoff:
    """Check and use up ``ticket`` on ``study``'s host; ApplicationError(403) when it cannot be used."""
    try:
        data = signing.loads(ticket, salt=_SALT, max_age=TICKET_LIFETIME)
    except signing.SignatureExpired as exc:
        raise ApplicationError("handoff_expired", "This sign-in link has expired.", status_code=403) from exc
    except signing.BadSignature as exc:
        raise ApplicationError("handoff_invalid", "This sign-in link is not valid.", status_code=403) from exc
    if data.get("s") != study.slug:
        raise ApplicationError("handoff_invalid", "This sign-in link is for another study.", status_code=403)
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not secrets.compare_digest(user.get_session_auth_hash(), str(data.get("h", ""))):
        raise ApplicationError("handoff_invalid", "This sign-in link is not valid.", status_code=403)
    try:
        with transaction.atomic():
            LoginHandoff.objects.create(nonce=str(data["n"]))
    except IntegrityError as exc:
        raise ApplicationError("handoff_used", "This sign-in link was already used.", status_code=403) from exc
    LoginHandoff.objects.filter(used_at__lt=timezone.now() - 2 * TICKET_LIFETIME).delete()
    return Handoff(user=user, next_path=safe_next(data.get("p")), login_at=data.get("l"))
