"""Refusals made before any view runs (research_platform/hardening.py, ratelimit.py): the API's error
shape with a machine-readable code under /api/ and for JSON clients, the styled error page for people."""

from __future__ import annotations

import pytest

from tests.conftest import host_client

pytestmark = pytest.mark.django_db


def _assert_styled_page(response, status: int, words: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"Error {status}" in html and words in html
    assert "/static/css/errors.css" in html and "<style" not in html and "<script" not in html
    return html


@pytest.fixture
def small_limits(settings):  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (2, 60)}


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_a_page_body_over_the_limit_gets_the_styled_413_page(small_limits, alpha, host):
    response = host_client(host).post("/accounts/login/", {"username": "u", "password": "x" * 5000})
    html = _assert_styled_page(response, 413, "What you sent is too large")
    assert "1000\xa0bytes" in html


def test_an_api_body_over_the_limit_gets_too_large_in_the_error_shape(small_limits, alpha):
    response = host_client(alpha.domain_name).post("/api/v1/participants/", "x" * 5000, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "too_large", "message": "The request body is too large.", "details": {"max_bytes": 1000}}
    }


def test_a_json_client_gets_the_error_shape_off_the_api_too(small_limits, alpha):
    response = host_client(alpha.domain_name, HTTP_ACCEPT="application/json").post(
        "/accounts/login/", {"username": "u", "password": "x" * 5000}
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_a_nul_in_a_page_address_gets_the_styled_400_page(alpha):
    response = host_client(alpha.domain_name).get("/consent/?q=%00")
    _assert_styled_page(response, 400, "We could not read this request")


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_too_many_page_logins_get_the_styled_429_page_with_retry_after(small_limits, alpha, host):
    client = host_client(host)
    for _ in range(2):
        assert client.post("/accounts/login/", {"username": "flood", "password": "x"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "flood", "password": "x"})
    html = _assert_styled_page(response, 429, "Too many attempts in a short time")
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 61
    assert f"Please wait {wait} second" in html


def test_too_many_token_requests_get_rate_limited_in_the_error_shape_with_retry_after(small_limits):
    client = host_client("localhost")
    body = {"username": "flood", "password": "x"}
    for _ in range(2):
        client.post("/api/v1/auth/token/", body, content_type="application/json")
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["details"]["retry_after_seconds"] == int(response["Retry-After"])
