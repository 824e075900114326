"""Researchers' credentials: API tokens (django-rest-knox), their revocation, and recent logins.

#18 finding 4: DRF's authtoken kept one never-expiring token per user, in clear, listed whole in
the admin, and it survived a password change. knox stores only a SHA-512 digest, gives every
token an expiry (REST_KNOX["TOKEN_TTL"]) and issues one token per login, so a device's token is
revoked alone. A password change or a deactivation ends every token and every session of the
account. Re-identification and the execution of deletions need a login within the last
RECENT_LOGIN (a session's login time, or a token's creation).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken

from core.errors import ApplicationError

RECENT_LOGIN = timedelta(minutes=15)
_LOGIN_AT = "login_at"


def api_token_issue(*, user: Any) -> str:
    """A new token for one device; the clear token is returned once, only its digest is kept."""
    _, token = AuthToken.objects.create(user=user)
    return token


def api_tokens_revoke(*, user: Any) -> int:
    """Delete every API token of the account (DELETE /api/v1/auth/token/?all=1); sessions stay."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def credentials_revoke_all(*, user_id: int) -> tuple[int, int]:
    """Delete every API token and session of the account; returns (tokens, sessions) removed."""
    tokens, _ = AuthToken.objects.filter(user_id=user_id).delete()
    ended = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) == str(user_id)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return tokens, len(ended)


def login_time(request: Any) -> str | None:
    """When this browser session last signed in with a password (ISO text), if known."""
    return request.session.get(_LOGIN_AT) if hasattr(request, "session") else None


def carry_login_time(request: Any, stamp: str | None) -> None:
    """After a sign-in hand-off: keep the platform session's password time, not the hand-off's."""
    if stamp:
        request.session[_LOGIN_AT] = stamp
    else:
        request.session.pop(_LOGIN_AT, None)


def require_recent_login(request: Any) -> None:
    """403 ``recent_login_required`` unless the caller logged in (or made its token) within RECENT_LOGIN."""
    now = timezone.now()
    auth = getattr(request, "auth", None)
    if isinstance(auth, AuthToken):
        logged_in_at = auth.created
    else:
        stamp = request.session.get(_LOGIN_AT) if hasattr(request, "session") else None
        logged_in_at = timezone.datetime.fromisoformat(stamp) if stamp else None
    if logged_in_at is None or now - logged_in_at > RECENT_LOGIN:
        raise ApplicationError(
            "recent_login_required",
            f"This needs a login within the last {int(RECENT_LOGIN.total_seconds() // 60)} minutes: "
            "sign in again (or obtain a new API token) and retry.",
            status_code=403,
        )


@receiver(user_logged_in)
def _remember_login_time(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[_LOGIN_AT] = timezone.now().isoformat()


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_credential_change(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return  # e.g. last_login: a stale copy of the row must not count as a change
    before = get_user_model().objects.filter(pk=instance.pk).values("password", "is_active").first()
    instance._credentials_changed = before is not None and (
        before["password"] != instance.password or (before["is_active"] and not instance.is_active)
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _end_credentials_after_change(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if getattr(instance, "_credentials_changed", False):
        instance._credentials_changed = False
        credentials_revoke_all(user_id=instance.pk)  # in the same transaction: undone with it
