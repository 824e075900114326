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


def test_an_unknown_study_host_gets_a_clear_404_page(db):
    response = host_client("nosuchstudy.localhost").get("/")
    assert response.status_code == 404
    assert b"No study here" in response.content


def test_an_unknown_host_gets_a_json_404_on_api_paths(db):
    response = host_client("nosuchstudy.localhost").get("/api/v1/consent/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_host"


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
