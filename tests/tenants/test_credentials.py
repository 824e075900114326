"""#18 finding 4: researcher tokens are digests that expire, one per device, ended by a password change.

Before: DRF's authtoken kept one clear, never-expiring token per user that survived a password
change; sessions lasted 14 days; re-identification needed no fresh login.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.consent.support import enrol, publish

LOGIN = "/api/v1/auth/token/"


def login(username: str = "t_manager", password: str = "pw-manager-123") -> str:  # noqa: S107 - the test cast
    response = APIClient(HTTP_HOST="localhost").post(LOGIN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert timezone.datetime.fromisoformat(body["expires_at"]) - timezone.now() <= settings.REST_KNOX["TOKEN_TTL"]
    return body["token"]


def with_token(token: str, host: str = "localhost") -> APIClient:
    client = APIClient(HTTP_HOST=host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_only_a_digest_is_stored_and_the_old_clear_table_is_gone(cast):
    token = login()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.authtoken_token')")
        assert cursor.fetchone()[0] is None
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        rows = cursor.fetchall()
    assert rows and all(token not in (digest, key) for digest, key in rows)
    assert token.startswith("rpk_")


def test_tokens_expire(cast):
    token = login()
    client = with_token(token)
    assert client.get("/api/v1/studies/").status_code == 200
    AuthToken.objects.filter(user=cast["manager"]).update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/studies/").status_code == 401


def test_each_device_has_its_own_token_and_revokes_it_alone_or_all(cast):
    laptop, phone, tablet = login(), login(), login()
    assert with_token(laptop).delete(LOGIN).status_code == 204
    assert with_token(laptop).get("/api/v1/studies/").status_code == 401
    assert with_token(phone).get("/api/v1/studies/").status_code == 200
    assert with_token(phone).delete(f"{LOGIN}?all=1").status_code == 204
    assert with_token(tablet).get("/api/v1/studies/").status_code == 401


def test_a_password_change_or_deactivation_ends_every_token_and_session(cast):
    for change in ("password", "deactivate"):
        user = cast["analyst"] if change == "password" else cast["viewer"]
        password = "pw-analyst-123" if change == "password" else "pw-viewer-123"
        token = login(user.username, password)
        browser = Client(HTTP_HOST="localhost")
        browser.force_login(user)
        assert Session.objects.count() >= 1
        if change == "password":
            user.set_password("a-new-long-password-1")
        else:
            user.is_active = False
        user.save()
        assert with_token(token).get("/api/v1/studies/").status_code == 401
        assert not AuthToken.objects.filter(user=user).exists()
        assert not any(str(s.get_decoded().get("_auth_user_id")) == str(user.pk) for s in Session.objects.all())


def test_sessions_end_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_reidentification_and_deletion_need_a_login_within_fifteen_minutes(alpha, alpha_client, cast):
    code = enrol(alpha_client, publish(alpha), external_id="PROLIFIC-RECENT-1").json()["participant_code"]
    token = login()
    url = f"/api/v1/participants/{code}/reidentify/"
    body = {"reason": "Payment reconciliation on the panel"}
    AuthToken.objects.filter(user=cast["manager"]).update(created=timezone.now() - timedelta(minutes=16))
    stale = with_token(token, alpha.domain_name).post(url, body, format="json")
    assert stale.status_code == 403 and stale.json()["error"]["code"] == "recent_login_required"
    assert "PROLIFIC-RECENT-1" not in stale.content.decode()
    executed = with_token(token, alpha.domain_name).post(
        "/api/v1/deletion-requests/00000000-0000-0000-0000-000000000000/execute/"
    )
    assert executed.status_code == 403 and executed.json()["error"]["code"] == "recent_login_required"
    fresh = with_token(login(), alpha.domain_name).post(url, body, format="json")
    assert fresh.status_code == 200 and fresh.json()["external_id"] == "PROLIFIC-RECENT-1"
    # A browser session counts from its login: an old one is asked to sign in again.
    browser = APIClient(HTTP_HOST=alpha.domain_name)
    browser.force_login(cast["manager"])  # force_login sends user_logged_in: the time is noted
    assert browser.post(url, body, format="json").status_code == 200
    session = browser.session
    session["login_at"] = (timezone.now() - timedelta(minutes=20)).isoformat()
    session.save()
    assert browser.post(url, body, format="json").json()["error"]["code"] == "recent_login_required"
