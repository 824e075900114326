"""The favicon: linked from every page, and /favicon.ico answered on every host (no 404 in a console)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

from tests.conftest import host_client

pytestmark = pytest.mark.django_db

HOSTS = ("localhost", "alpha.localhost", "nosuchstudy.localhost")
ICON_LINK = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


def test_the_favicon_is_a_local_static_file():
    found = finders.find("favicon.svg")
    assert found and open(found, encoding="utf-8").read().startswith("<svg")


@pytest.mark.parametrize("host", HOSTS)
def test_favicon_ico_leads_to_the_icon_on_every_host(alpha, host):
    response = host_client(host).get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/favicon.svg")


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("localhost", "/accounts/login/"),  # templates/base.html
        ("alpha.localhost", "/consent/"),
        ("alpha.localhost", "/no-such-page/"),  # templates/errors/base.html, through base.html
        ("nosuchstudy.localhost", "/"),
        ("localhost", "/admin/login/"),  # templates/admin/base_site.html
    ],
)
def test_pages_link_the_icon(alpha, host, path):
    assert ICON_LINK in host_client(host).get(path).content.decode()
