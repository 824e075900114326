"""CSRF on every form and every cookie-authenticated write, on both hosts.

Each route is posted to with a logged-in session (and, on a study host, a participant cookie)
but without a CSRF token: every one that honours a cookie must refuse with 403. DRF views that
accept no cookie at all (token-only or anonymous) are listed, so a new one is a deliberate choice.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from pseudonymization.authentication import COOKIE_NAME, ParticipantTokenAuthentication
from tests.consent.support import enrol, publish
from tests.security.routes import PUBLIC_URLCONF, STUDY_URLCONF, all_routes

UNSAFE = ("post", "put", "patch", "delete")
# Views that take no cookie: a forged cross-site request carries nothing they would honour.
COOKIE_FREE_OK = {
    "TokenApi",  # token auth only; POST trades a password for a token
    "CurrentConsentApi",  # anonymous read
    "ParticipantsApi",  # POST consent is anonymous by nature (GET is researcher-only, token or session)
    "SpectacularAPIView",
    "SpectacularSwaggerSplitView",
}


def _cookie_authenticators(view_class) -> set[str]:  # type: ignore[no-untyped-def]
    names = set()
    for auth in getattr(view_class, "authentication_classes", []):
        if issubclass(auth, SessionAuthentication):
            names.add("session")
        if issubclass(auth, ParticipantTokenAuthentication):
            names.add("participant_cookie")
    return names


@pytest.fixture
def attacker_free_clients(alpha, cast):  # type: ignore[no-untyped-def]
    """Browsers holding a researcher session and a participant cookie, with CSRF enforced."""
    token = enrol(Client(HTTP_HOST=alpha.domain_name), publish(alpha)).json()["token"]
    clients = {}
    for host in ("localhost", alpha.domain_name):
        client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
        client.force_login(cast["admin"])
        client.cookies[COOKIE_NAME] = token
        clients[host] = client
    return clients


@pytest.mark.parametrize("urlconf,host", [(PUBLIC_URLCONF, "localhost"), (STUDY_URLCONF, "alpha.localhost")])
def test_every_cookie_honouring_route_refuses_a_write_without_a_csrf_token(urlconf, host, attacker_free_clients):
    client = attacker_free_clients[host]
    checked, cookie_free, failures = 0, set(), []
    for route in all_routes(urlconf):
        view_class = route.view_class
        is_drf = isinstance(view_class, type) and issubclass(view_class, APIView)
        methods = [m for m in UNSAFE if hasattr(view_class, m)] if is_drf else ["post"]
        # A dispatcher that hands each method to another view (method_views) is checked as that view.
        owners = getattr(view_class, "method_views", {}) if is_drf else {}
        if owners:
            cookie_free |= {owners[m].__name__ for m in methods if not _cookie_authenticators(owners[m])}
            methods = [m for m in methods if _cookie_authenticators(owners[m])]
        elif is_drf and not _cookie_authenticators(view_class):
            if methods:
                cookie_free.add(view_class.__name__)
            continue
        for method in methods:
            response = getattr(client, method)(route.path(), {}, content_type="application/json")
            checked += 1
            if response.status_code != 403 or b"CSRF" not in response.content:
                failures.append(f"{method.upper()} {route.path()} -> {response.status_code}")
    assert not failures, failures
    assert checked >= 5
    assert cookie_free <= COOKIE_FREE_OK, f"new cookie-free write endpoints: {cookie_free - COOKIE_FREE_OK}"


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


@pytest.mark.parametrize("urlconf,host", [(PUBLIC_URLCONF, "localhost"), (STUDY_URLCONF, "alpha.localhost")])
def test_every_post_form_on_every_page_carries_a_csrf_token(urlconf, host, alpha, cast):
    publish(alpha)
    forms_seen = 0
    for login in (None, cast["admin"]):
        client = Client(HTTP_HOST=host)
        if login is not None:
            client.force_login(login)
        for route in all_routes(urlconf):
            if route.template.startswith("api/") or "<" in route.template or "logout" in route.template:
                continue
            response = client.get(route.path())
            if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
                continue
            for form in FORM.findall(response.content.decode()):
                if re.search(r'method=["\']?post', form, re.I):
                    forms_seen += 1
                    assert "csrfmiddlewaretoken" in form, f"{route.path()} has a POST form without a CSRF token"
    assert forms_seen >= 1
