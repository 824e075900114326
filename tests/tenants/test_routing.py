"""Requests are routed by host: the platform host, each study host, and nothing else."""

from __future__ import annotations

from tests.conftest import host_client


def test_the_platform_host_answers_healthz(platform_client):
    response = platform_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "eager"}
    assert body["status"] == "ok"


def test_a_study_host_answers_healthz(alpha_client):
    response = alpha_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


# Headers that could tell an unknown host from a real study's missing page (the date aside).
COMPARED_HEADERS = (
    "Content-Type",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Vary",
    "Cache-Control",
    "Set-Cookie",
)


def _answer(response):  # type: ignore[no-untyped-def]
    return response.status_code, response.content, {h: response.headers.get(h) for h in COMPARED_HEADERS}


def test_an_unknown_study_host_answers_like_a_missing_page_on_a_real_study(alpha):
    unknown = host_client("nosuchstudy.localhost").get("/no-such-page/")
    missing = host_client(alpha.domain_name).get("/no-such-page/")
    assert unknown.status_code == 404
    assert b"We could not find this page" in unknown.content
    assert _answer(unknown) == _answer(missing)
    # Its home is the same 404 too (a real study's home is its consent page, shown to anyone by design).
    assert _answer(host_client("nosuchstudy.localhost").get("/")) == _answer(missing)


def test_an_unknown_host_answers_api_paths_with_the_api_404(alpha):
    unknown = host_client("nosuchstudy.localhost").get("/api/v1/no-such-endpoint/")
    missing = host_client(alpha.domain_name).get("/api/v1/no-such-endpoint/")
    assert unknown.json() == {"error": {"code": "not_found", "message": "Not found.", "details": {}}}
    assert _answer(unknown) == _answer(missing)


def test_an_unknown_host_serves_no_study_data_even_where_a_study_host_has_a_route(db):
    response = host_client("nosuchstudy.localhost").get("/api/v1/consent/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_refused_host_header_gets_the_same_404_body(alpha):
    refused = host_client("evil.example.com").get("/no-such-page/")
    missing = host_client(alpha.domain_name).get("/no-such-page/")
    assert (refused.status_code, refused.content) == (missing.status_code, missing.content)


def test_a_host_outside_the_platform_domain_is_refused(db):
    response = host_client("evil.example.com").get("/healthz")
    assert response.status_code == 404


def test_the_platform_host_serves_the_admin_login(platform_client):
    response = platform_client.get("/admin/login/")
    assert response.status_code == 200


def test_the_admin_is_not_served_on_a_study_host(alpha_client):
    assert alpha_client.get("/admin/login/").status_code == 404


def test_a_study_host_shows_its_own_title(alpha_client, beta_client):
    assert b"Study alpha" in alpha_client.get("/").content
    assert b"Study beta" in beta_client.get("/").content
