"""Error pages on the platform host and on a study host: styled pages for people, the error shape for the API.

Test-only URLconfs (raising_urls*.py) add views that raise each error on both hosts, in front of the
real routes, so Django's own handler lookup is exercised, not the handlers called directly.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from research_platform import error_views

HOSTS = ("localhost", "alpha.localhost")

HEADINGS = {
    400: "We could not read this request",
    403: "Please sign in to open this page",
    404: "We could not find this page",
    500: "Something went wrong on our side",
}
CODES = {400: "malformed_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}


@pytest.fixture
def raising_urls(settings):  # type: ignore[no-untyped-def]
    """Both hosts gain /raise/<status>/ and /api/v1/raise/<status>/ (tests/research_platform/raising_urls*.py)."""
    settings.ROOT_URLCONF = "tests.research_platform.raising_urls"
    settings.PUBLIC_SCHEMA_URLCONF = "tests.research_platform.raising_urls_platform"


def _client(host: str, **headers: str) -> Client:
    # The test client re-raises a view's exception by default; a real server answers with handler500.
    return Client(HTTP_HOST=host, raise_request_exception=False, **headers)


def _assert_page(response: HttpResponse, status: int, heading: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"Error {status}" in html and heading in html
    assert "/static/css/site.css" in html and "/static/css/errors.css" in html
    assert "<style" not in html and "style=" not in html and "<script" not in html  # the CSP allows neither
    assert "Traceback" not in html and "boom" not in html
    return html


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_error_is_a_styled_page_on_both_hosts(db, alpha, raising_urls, host, status):
    html = _assert_page(_client(host).get(f"/raise/{status}/"), status, HEADINGS[status])
    assert 'href="http://localhost:8000/"' in html  # the way home, on the platform host


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_error_under_api_is_the_api_error_shape_on_both_hosts(db, alpha, raising_urls, host, status):
    response = _client(host).get(f"/api/v1/raise/{status}/")
    assert response.status_code == status
    assert response.json()["error"]["code"] == CODES[status]
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_a_json_client_gets_the_error_shape_off_the_api_too(db, alpha, raising_urls, host, status):
    response = _client(host, HTTP_ACCEPT="application/json").get(f"/raise/{status}/")
    assert response.status_code == status and response.json()["error"]["code"] == CODES[status]


@pytest.mark.parametrize("host", HOSTS)
def test_an_unknown_address_is_the_same_404_page_on_both_hosts(db, alpha, host):
    html = _assert_page(_client(host).get("/no-such-page/"), 404, HEADINGS[404])
    assert "Check the link you were given" in html
    assert "Study alpha" not in html  # the page names no study


def test_a_non_member_opening_a_study_page_gets_the_404_that_names_no_study(alpha, cast):
    client = _client(alpha.domain_name)
    client.force_login(cast["other_manager"])
    html = _assert_page(client.get("/dashboard/"), 404, HEADINGS[404])
    assert "Study alpha" not in html and "role" not in html


@pytest.mark.parametrize("host", HOSTS)
def test_the_404_is_the_same_page_for_a_member_a_stranger_and_an_anonymous_visitor(alpha, cast, host):
    # A member asking for an unknown participant, a non-member refused the study, a stranger's typo
    # (anonymous visitors of study pages are sent to sign in first).
    pages = []
    for who, address in (("viewer", "/dashboard/participants/x1/"), ("other_manager", "/dashboard/"), (None, "/x/")):
        client = _client(host)
        if who:
            client.force_login(cast[who])
        response = client.get(address)
        assert response.status_code == 404, (who, address)
        pages.append(response.content)
    assert pages[0] == pages[1] == pages[2]
    assert "Signed in as" not in pages[0].decode()


def test_a_compliance_officer_opening_the_dashboard_is_told_what_the_role_allows_and_sent_to_the_console(alpha, cast):
    client = _client(alpha.domain_name)
    client.force_login(cast["compliance"])
    html = _assert_page(client.get("/dashboard/"), 403, "Your role on this study does not open this page")
    assert "your role is <strong>Compliance officer</strong>" in html
    assert "On <strong>Study alpha</strong>" in html
    # What the page needs (the dashboard's own permission) and what the role allows, in words.
    assert "See participants by pseudonymous code, sessions, metrics, profiles, the dashboard" in html
    assert "Read the study&#x27;s audit trail and its verification" in html
    assert 'href="http://localhost:8000/compliance/"' in html
    assert 'href="http://localhost:8000/">My studies</a>' in html
    assert 'href="/dashboard/"' not in html  # no link back to the page that refused


def test_a_viewer_refused_the_exports_page_is_pointed_to_the_dashboard_not_the_console(alpha, cast):
    client = _client(alpha.domain_name)
    client.force_login(cast["viewer"])
    html = _assert_page(client.get("/dashboard/exports/"), 403, "Your role on this study does not open this page")
    assert "your role is <strong>Viewer</strong>" in html
    assert "Download exports (CSV, Psych-DS, hBayesDM)" in html  # what the page needs
    assert 'href="/dashboard/">Dashboard</a>' in html
    assert "/compliance/" not in html


@pytest.mark.parametrize("host", HOSTS)
def test_an_anonymous_403_offers_to_sign_in_and_come_back(db, alpha, raising_urls, host):
    html = _assert_page(_client(host).get("/raise/403/?x=1"), 403, HEADINGS[403])
    assert 'href="/accounts/login/?next=/raise/403/%3Fx%3D1"' in html


def test_a_signed_in_403_on_the_platform_host_names_no_study(alpha, cast, raising_urls):
    client = _client("localhost")
    client.force_login(cast["compliance"])
    html = _assert_page(client.get("/raise/403/"), 403, "Your account cannot open this page")
    assert "Study alpha" not in html and "role is" not in html


@pytest.mark.parametrize("host", HOSTS)
def test_a_form_without_its_csrf_token_gets_the_styled_csrf_page(db, alpha, host):
    client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    html = _assert_page(client.post("/accounts/login/", {"username": "a", "password": "b"}), 403, "could not be sent")
    assert 'href="/accounts/login/">Open the page again</a>' in html
    assert "the CSRF check failed (CSRF cookie not set.)" in html  # the client never fetched the form


def test_the_csrf_pages_link_back_never_leaves_the_host(rf):
    request = rf.post("/form/")
    request.path = "//evil.example/form/"  # what a request for that address carries (the client would parse it)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    html = error_views.csrf_failure(request, reason="CSRF token missing.").content.decode()
    assert 'href="/evil.example/form/">Open the page again' in html and 'href="//' not in html


def test_a_json_client_failing_the_csrf_check_gets_the_error_shape(db, alpha):
    client = Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True, HTTP_ACCEPT="application/json")
    response = client.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"


def test_the_500_page_needs_neither_the_database_nor_the_user():
    # No `db` fixture: pytest-django fails any query here; and the request has no `user` to read.
    request = RequestFactory().get("/anything/", HTTP_HOST="alpha.localhost")
    assert not hasattr(request, "user")
    _assert_page(error_views.server_failure(request), 500, HEADINGS[500])


def test_the_500_page_falls_back_to_plain_html_when_its_template_fails(monkeypatch):
    def broken(name: str) -> None:
        raise RuntimeError("template broken")

    monkeypatch.setattr(error_views, "get_template", broken)
    response = error_views.server_failure(RequestFactory().get("/x/"))
    assert response.status_code == 500 and b"Something went wrong on our side" in response.content


def test_a_too_large_body_without_a_length_stays_a_413(db, alpha):
    from django.core.exceptions import RequestDataTooBig

    response = error_views.bad_request(RequestFactory().post("/api/v1/participants/"), RequestDataTooBig())
    assert response.status_code == 413


def test_the_settings_make_run_uses_keep_debug_off_unless_the_environment_asks(monkeypatch):
    """`make run` serves research_platform.settings.local (wsgi.py); Django's debug pages need DEBUG=true."""
    import importlib

    import research_platform.settings.local as local

    monkeypatch.delenv("DEBUG", raising=False)
    assert importlib.reload(local).DEBUG is False
    monkeypatch.setenv("DEBUG", "true")
    assert importlib.reload(local).DEBUG is True
    monkeypatch.delenv("DEBUG")
    importlib.reload(local)
