"""Study administration pages: managers change settings and roles; everyone else is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from games.selectors import game_settings_get
from tenants.models import Study, StudyMembership

PAGES = ["/manage/", "/manage/members/"]


def _game_config(study: Study) -> dict[str, Any]:
    """The study's saved game configuration (its schema's GameSettings row; {} before the first save)."""
    with tenant_context(study):
        return game_settings_get().config


def login(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("admin", 200),
        ("manager", 200),
        ("analyst", 403),
        ("viewer", 403),
        ("compliance", 403),
        ("outsider", 404),
        ("other_manager", 404),
    ],
)
def test_only_managers_reach_the_administration_pages(cast, page, actor, status):
    assert login(cast[actor]).get(page).status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(db, alpha, page):
    response = login(None).get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_manager_changes_the_title_and_status(cast, alpha):
    response = login(cast["manager"]).post(
        "/manage/", {"save_settings": "1", "title": "Renamed", "description": "", "status": "closed"}
    )
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert (alpha.title, alpha.status) == ("Renamed", "closed")


def test_a_manager_sets_the_game_with_two_colours(cast, alpha):
    response = login(cast["manager"]).post(
        "/manage/",
        {
            "save_game": "1",
            "variant": "standard",
            "balloons_per_color": "10",
            "colors": "blue 128\norange 32",
            "reward_per_pump": "0.05",
            "currency": "gbp",
            "block_size": "10",
        },
    )
    assert response.status_code == 302
    config = _game_config(alpha)
    assert config["colors"] == [{"color": "blue", "max_pumps": 128}, {"color": "orange", "max_pumps": 32}]
    assert config["currency"] == "GBP"


def test_the_settings_page_shows_the_consent_completion_redirect_and_links_to_where_it_is_edited(cast, in_alpha):
    from consent.services import consent_settings_update

    consent_settings_update(
        acting_user=cast["manager"], completion_url="https://app.prolific.com/submissions/complete?cc=ABC"
    )
    page = login(cast["manager"]).get("/manage/").content.decode()
    assert "https://app.prolific.com/submissions/complete?cc=ABC" in page
    assert 'href="/manage/consent/"' in page and 'href="/manage/members/"' in page
    assert 'href="/manage/deletion-requests/"' in page


def test_a_manager_sets_a_retention_policy_and_the_change_is_audited(cast, in_alpha):
    from audit.models import AuditEntry
    from rights.selectors import retention_policy_get

    response = login(cast["manager"]).post(
        "/manage/",
        {
            "save_retention": "1",
            "erase_identifiers_after_days": "90",
            "erase_raw_events_after_days": "",
            "note": "REC 1",
        },
    )
    assert response.status_code == 302
    policy = retention_policy_get()
    assert (policy.erase_identifiers_after_days, policy.erase_raw_events_after_days) == (90, None)
    assert AuditEntry.objects.filter(event="retention.update").exists()


def test_a_negative_retention_period_is_refused(cast, in_alpha):
    from rights.selectors import retention_policy_get

    response = login(cast["manager"]).post("/manage/", {"save_retention": "1", "erase_identifiers_after_days": "-3"})
    assert response.status_code == 400
    assert retention_policy_get().pk is None


def test_an_unreadable_colour_line_is_refused_and_nothing_changes(cast, alpha):
    before = _game_config(alpha)
    response = login(cast["manager"]).post(
        "/manage/",
        {
            "save_game": "1",
            "variant": "standard",
            "balloons_per_color": "10",
            "colors": "blue lots",
            "reward_per_pump": "0.05",
            "currency": "USD",
            "block_size": "10",
        },
    )
    assert response.status_code == 400
    assert b"Cannot read" in response.content
    assert _game_config(alpha) == before


def test_a_manager_grants_and_revokes_a_role(cast, alpha):
    client = login(cast["manager"])
    assert client.post("/manage/members/", {"username": "t_outsider", "role": "analyst"}).status_code == 302
    assert StudyMembership.objects.get(study=alpha, user=cast["outsider"]).role == "analyst"
    assert client.post("/manage/members/", {"username": "t_outsider", "revoke": "1"}).status_code == 302
    assert not StudyMembership.objects.filter(study=alpha, user=cast["outsider"]).exists()


def test_granting_to_an_unknown_account_says_so(cast):
    response = login(cast["manager"]).post("/manage/members/", {"username": "nobody", "role": "viewer"})
    assert response.status_code == 400
    assert b"No active account of that name can be given a role" in response.content


def test_a_post_without_csrf_token_is_refused(cast):
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    client.force_login(cast["manager"])
    response = client.post("/manage/", {"save_settings": "1", "title": "x", "status": "draft"})
    assert response.status_code == 403
