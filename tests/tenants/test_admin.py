"""The Django admin's Studies pages lead to the platform's own pages for what the admin must not do itself
(creating a study, changing its game), and link each study's dashboard and participant link."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import override_settings

from tests.conftest import host_client

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tenants/study/"
ADD = "/admin/tenants/study/add/"


def _admin_client(user):  # type: ignore[no-untyped-def]
    client = host_client("localhost")
    client.force_login(user)
    return client


@pytest.fixture
def staff_study_administrator(db):  # type: ignore[no-untyped-def]
    """Staff (may open the admin) and holding tenants.add_study, like the seeded study administrators."""
    user = get_user_model().objects.create_user("t_staff_creator", password="pw-staff-creator-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="tenants", codename="add_study"))
    return user


def test_add_in_the_studies_admin_redirects_a_platform_admin_to_the_creation_form(cast):
    response = _admin_client(cast["admin"]).get(ADD)
    assert response.status_code == 302
    assert response["Location"] == "/studies/new/"


def test_add_redirects_a_staff_study_administrator_too(staff_study_administrator):
    response = _admin_client(staff_study_administrator).get(ADD)
    assert (response.status_code, response["Location"]) == (302, "/studies/new/")


def test_add_is_refused_to_staff_who_may_not_create_studies(cast):
    staff = cast["manager"]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = _admin_client(staff)
    assert client.get(ADD).status_code == 403
    assert f'href="{ADD}"' not in client.get(CHANGELIST).content.decode()


def test_the_changelist_shows_the_add_button_to_those_who_may_create_studies(cast):
    page = _admin_client(cast["admin"]).get(CHANGELIST).content.decode()
    assert f'href="{ADD}"' in page


def test_the_changelist_links_each_studys_dashboard_and_participant_link(cast, alpha):
    page = _admin_client(cast["admin"]).get(CHANGELIST).content.decode()
    assert "Open study" in page and "Participant link" in page
    assert 'href="/studies/alpha/open/dashboard/"' in page
    assert f'href="{alpha.url}"' in page and alpha.url.startswith("http://alpha.localhost")


def test_the_open_link_of_the_changelist_signs_the_admin_in_on_the_studys_dashboard(cast, alpha):
    client = _admin_client(cast["admin"])
    response = client.get("/studies/alpha/open/dashboard/")
    assert response.status_code == 302
    assert (
        response["Location"].startswith(f"http://{alpha.domain_name}:")
        and "/accounts/handoff/?t=" in response["Location"]
    )


def test_game_config_is_shown_read_only_with_a_link_to_the_studys_settings_page(cast, alpha):
    from django_tenants.utils import tenant_context

    from games.models import GameSettings

    with tenant_context(alpha):
        GameSettings.objects.create(config={"balloons_per_color": 12})
    client = _admin_client(cast["admin"])
    page = client.get(f"/admin/tenants/study/{alpha.pk}/change/").content.decode()
    assert not re.search(r'name="game_config"', page)
    assert "balloons_per_color: 12" in page
    assert 'href="/studies/alpha/open/settings/"' in page

    response = client.post(
        f"/admin/tenants/study/{alpha.pk}/change/",
        {
            "title": alpha.title,
            "description": alpha.description,
            "status": alpha.status,
            "game_config": '{"balloons_per_color": 99}',
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    with tenant_context(alpha):
        assert GameSettings.objects.get().config == {"balloons_per_color": 12}


def test_view_site_leads_to_the_platform_home(cast):
    page = _admin_client(cast["admin"]).get("/admin/").content.decode()
    assert 'href="http://localhost:8000/"' in page
    with override_settings(PLATFORM_SCHEME="https", PLATFORM_PORT=443):
        page = _admin_client(cast["admin"]).get("/admin/").content.decode()
    assert 'href="https://localhost/">View site' in page


def test_a_change_in_the_admin_goes_through_the_study_service_and_cannot_archive(cast, alpha):
    from unittest import mock

    from tenants import services

    client = _admin_client(cast["admin"])
    url = f"/admin/tenants/study/{alpha.pk}/change/"
    form = {"title": "  Alpha renamed  ", "description": "", "status": "piloting", "_save": "Save"}
    with mock.patch.object(services, "study_update", wraps=services.study_update) as update:
        with mock.patch("tenants.admin.study_update", update):
            assert client.post(url, form).status_code == 302
    assert update.call_count == 1
    alpha.refresh_from_db()
    assert (alpha.title, alpha.status) == ("Alpha renamed", "piloting")  # the service's trimming applied

    # Archiving drops access to a schema: only the archive command does it, never a select box.
    assert 'value="archived"' not in client.get(url).content.decode()
    response = client.post(url, {**form, "status": "archived"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    alpha.refresh_from_db()
    assert alpha.status == "piloting"
