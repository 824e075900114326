"""The Django admin in Debian's Chromium, as the platform admin uses it: sign in on the platform host,
then the index, every registered changelist, a study and a user, at 1280 and 390 px, with axe-core
finding nothing serious or critical. Screenshots go to var/screenshots (UPDATE_SCREENSHOTS=1: docs/).

The admin account is committed (the server is another process, tests/live.py) with its own name, so
it never meets the cast of tests/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_support import (
    DESKTOP,
    PHONE,
    assert_accessible,
    chromium,
    new_context,
    screenshot,
    watch_console,
)
from tests.live import live_app_server  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME, PASSWORD = "browser_admin", "pw-browser-admin-123"
DEVICES = {"1280": DESKTOP, "390": PHONE}
SCREENSHOTS = {"index": "index", "tenants-study": "studies"}  # page name -> docs/screenshots/admin-<...>-<width>


@pytest.fixture(scope="module")
def admin_pages(django_db_setup, django_db_blocker) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(name, path) of every admin page the test opens, for a committed superuser."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from tenants.models import Study

    with django_db_blocker.unblock():
        users = get_user_model().objects
        user = users.filter(username=USERNAME).first() or users.create_superuser(USERNAME, password=PASSWORD)
        study = Study.objects.get(slug="alpha")
    pages = [("index", "/admin/")]
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        meta = model._meta
        pages.append((f"{meta.app_label}-{meta.model_name}", f"/admin/{meta.app_label}/{meta.model_name}/"))
    pages.append(("study-change", f"/admin/tenants/study/{study.pk}/change/"))
    pages.append(("user-change", f"/admin/auth/user/{user.pk}/change/"))
    return pages


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


@pytest.mark.parametrize("width", list(DEVICES))
def test_every_admin_page_the_platform_admin_opens_has_no_serious_axe_violation(
    live_app_server,  # noqa: F811
    admin_pages,
    width,
):
    base = live_app_server.url("localhost")
    failures: dict[str, Any] = {}
    with chromium() as browser:
        context = new_context(browser, DEVICES[width])
        page = context.new_page()
        errors = watch_console(page)
        _sign_in(page, base)
        for name, path in admin_pages:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (path, response and response.status)
            try:
                assert_accessible(page)
            except AssertionError as exc:
                failures[path] = str(exc)
            if name in SCREENSHOTS:
                screenshot(page, f"admin-{SCREENSHOTS[name]}-{width}")
        context.close()
    assert not failures, "\n".join(f"{path}: {found}" for path, found in failures.items())
    assert not errors, errors  # no CSP refusal, no missing file (the favicon included)


def test_the_studies_changelist_shows_add_open_and_participant_link(live_app_server, admin_pages):  # noqa: F811
    base = live_app_server.url("localhost")
    with chromium() as browser:
        context = new_context(browser, DESKTOP)
        page = context.new_page()
        _sign_in(page, base)
        page.goto(f"{base}/admin/tenants/study/")
        expect(page.get_by_role("columnheader", name="Open study")).to_be_visible()
        expect(page.get_by_role("columnheader", name="Participant link")).to_be_visible()
        expect(page.get_by_role("link", name="Dashboard of alpha")).to_be_visible()
        page.get_by_role("link", name="Add study").click()
        expect(page.get_by_role("heading", name="Create a study")).to_be_visible()
        assert page.url == f"{base}/studies/new/"
        page.goto(f"{base}/admin/")
        page.get_by_role("link", name="View site").click()
        assert page.url == f"{base}/"
        context.close()
