"""The platform's front door: "My studies", the sign-in hand-off to a study host, landing after login."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context

from games.selectors import game_config_current
from tests.conftest import host_client

pytestmark = pytest.mark.django_db


def _signed_in(user: Any, password: str) -> Client:
    client = host_client(settings.PLATFORM_DOMAIN)
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


def _ticket(client: Client, slug: str, target: str = "dashboard") -> str:
    response = client.get(f"/studies/{slug}/open/{target}/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.hostname == f"{slug}.{settings.PLATFORM_DOMAIN}"
    assert location.path == "/accounts/handoff/"
    return parse_qs(location.query)["t"][0]


def test_login_on_the_platform_lands_on_my_studies_with_the_link(cast: dict, alpha: Any) -> None:
    client = host_client(settings.PLATFORM_DOMAIN)
    response = client.post("/accounts/login/", {"username": "t_manager", "password": "pw-manager-123"})
    assert response["Location"] == "/"
    page = client.get("/").content.decode()
    assert alpha.title in page and alpha.url in page
    assert "Open dashboard" in page and "Set-up checklist" in page
    assert "PROLIFIC_PID={{%PROLIFIC_PID%}}" in page  # the panel link, in Prolific's own placeholder syntax


def test_my_studies_lists_only_the_users_own_studies(cast: dict, alpha: Any, beta: Any) -> None:
    page = _signed_in(cast["other_manager"], "pw-other-123").get("/").content.decode()
    assert beta.title in page and alpha.title not in page
    outsider = _signed_in(cast["outsider"], "pw-outsider-123")
    assert "You hold no role on any study" in outsider.get("/").content.decode()
    assert outsider.get(f"/studies/{alpha.slug}/open/dashboard/").status_code == 404
    assert outsider.get(f"/studies/{alpha.slug}/qr.svg").status_code == 404


def test_login_on_a_study_host_never_lands_on_the_consent_page(cast: dict, alpha: Any) -> None:
    client = host_client(alpha.domain_name)
    response = client.post("/accounts/login/", {"username": "t_viewer", "password": "pw-viewer-123"})
    assert response["Location"] == "/dashboard/"
    client = host_client(alpha.domain_name)
    response = client.post("/accounts/login/", {"username": "t_compliance", "password": "pw-compliance-123"})
    assert urlsplit(response["Location"]).hostname == settings.PLATFORM_DOMAIN


def test_a_handoff_ticket_signs_in_once_on_its_own_study(cast: dict, alpha: Any, beta: Any) -> None:
    platform = _signed_in(cast["viewer"], "pw-viewer-123")
    ticket = _ticket(platform, alpha.slug)
    elsewhere = host_client(beta.domain_name)
    assert elsewhere.get("/accounts/handoff/", {"t": ticket}).status_code == 403  # another study's host
    study_host = host_client(alpha.domain_name)
    response = study_host.get("/accounts/handoff/", {"t": ticket})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert study_host.get("/dashboard/").status_code == 200
    again = host_client(alpha.domain_name).get("/accounts/handoff/", {"t": ticket})
    assert again.status_code == 403 and b"already used" in again.content


def test_a_handoff_ticket_dies_with_a_password_change_and_with_time(cast: dict, alpha: Any) -> None:
    from unittest import mock

    from django.core import signing

    platform = _signed_in(cast["viewer"], "pw-viewer-123")
    ticket = _ticket(platform, alpha.slug)
    user = cast["viewer"]
    user.set_password("pw-viewer-changed-456")
    user.save()
    assert host_client(alpha.domain_name).get("/accounts/handoff/", {"t": ticket}).status_code == 403

    platform = _signed_in(user, "pw-viewer-changed-456")
    ticket = _ticket(platform, alpha.slug)
    real_loads = signing.loads
    with mock.patch("tenants.handoff.signing.loads", lambda t, **kw: real_loads(t, **{**kw, "max_age": -1})):
        expired = host_client(alpha.domain_name).get("/accounts/handoff/", {"t": ticket})
    assert expired.status_code == 403 and b"expired" in expired.content


def test_a_study_administrator_creates_a_study_through_the_form(cast: dict) -> None:
    from tenants.models import Study, StudyMembership

    admin = _signed_in(cast["admin"], "pw-admin-123")
    form = {
        "slug": "new-pilot",
        "title": "New pilot",
        "description": "",
        "variant": "standard",
        "balloons_per_color": "10",
        "colors": "blue 64",
        "reward_per_pump": "0.05",
        "currency": "EUR",
        "block_size": "5",
        "pump_confirmation": "client",
    }
    bad = admin.post("/studies/new/", {**form, "slug": "Bad Slug"})
    assert bad.status_code == 400 and b"New pilot" in bad.content  # what was typed is kept
    response = admin.post("/studies/new/", form)
    assert response.status_code == 302 and response["Location"].endswith("/studies/new-pilot/open/setup/")
    study = Study.objects.get(slug="new-pilot")
    with tenant_context(study):
        assert study.status == "draft" and game_config_current()["currency"] == "EUR"
    assert StudyMembership.objects.get(study=study, user=cast["admin"]).role == "manager"
    refused = _signed_in(cast["viewer"], "pw-viewer-123").get("/studies/new/")
    assert refused.status_code == 403
