"""Browser hardening headers on every host, request size limits and the safe JSON parser."""

from __future__ import annotations

import json

import pytest

from core.errors import api_exception_handler
from tests.consent.support import enrol, publish


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/consent/", "/healthz", "/api/docs/"])
def test_every_response_carries_the_hardening_headers(alpha_client, platform_client, path):
    for client in (alpha_client, platform_client):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_api_responses_are_never_stored_by_caches(alpha, alpha_client):
    response = enrol(alpha_client, publish(alpha))
    assert response.status_code == 201
    assert "no-store" in response.headers["Cache-Control"]


def test_the_api_docs_load_their_script_from_a_url_not_inline(platform_client):
    page = platform_client.get("/api/docs/").content.decode()
    assert "<script>" not in page  # every script has a src, so script-src 'self' suffices
    script = platform_client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    # No page relaxes inline styles: the docs page takes drf-spectacular's rules from a stylesheet.
    assert "<style" not in page and "/static/css/api-docs.css" in page
    for path in ("/api/docs/", "/accounts/login/"):
        assert "'unsafe-inline'" not in platform_client.get(path).headers["Content-Security-Policy"]


def test_the_swagger_assets_are_served_locally(platform_client, settings):
    page = platform_client.get("/api/docs/").content.decode()
    assert "//cdn" not in page and "https://" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page


def test_a_body_over_the_limit_gets_413_in_the_error_shape(alpha_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"padding": "x" * 20_000})
    response = alpha_client.post("/api/v1/participants/", body, content_type="application/json")
    assert response.status_code == 413
    error = _error(response)
    assert error["code"] == "too_large" and error["details"]["max_bytes"] == 10_000


def test_the_default_limit_admits_a_batch_of_a_thousand_events(settings):
    event = {
        "event_id": "0193a1c4-0000-7000-8000-000000000000",
        "seq": 100000,
        "type": "pump",
        "t": 152340.6,
        "client_ts": 1732521599000,
        "balloon": 30,
        "data": {"pump": 120, "rt_ms": 281.4},
    }
    batch = json.dumps({"sent_at": 1732521600123, "events": [event] * 1000})
    assert len(batch) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_body_cut_off_while_reading_is_a_413_too(rf):
    from django.core.exceptions import RequestDataTooBig

    response = api_exception_handler(RequestDataTooBig("too big"), {})
    assert response is not None and response.status_code == 413
    assert response.data["error"]["code"] == "too_large"


def test_a_page_body_over_the_limit_gets_a_plain_413(alpha_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = alpha_client.post("/accounts/login/", {"username": "u", "password": "x" * 5000})
    assert response.status_code == 413


HOSTILE_BODIES = {
    "deeply nested (100,000 levels)": "[" * 100_000 + "]" * 100_000,
    "nested just past the limit": '{"a":' * 40 + "1" + "}" * 40,
    "NaN literal": '{"agree": NaN}',
    "Infinity literal": '{"agree": Infinity}',
    "1e999 (infinite float)": '{"consent_version": 1e999}',
    "integer beyond 64 bits": '{"consent_version": 123456789012345678901234567890}',
    "integer of 5,000 digits": '{"consent_version": ' + "9" * 5000 + "}",
    "NUL in a value": '{"external_id": "a\\u0000b"}',
    "NUL in a key": '{"a\\u0000b": 1}',
    "lone surrogate": '{"external_id": "\\ud800"}',
    "not UTF-8": b'{"external_id": "\xff\xfe"}',
    "not an object": "[1, 2, 3]",
    "truncated": '{"consent_version": "1.0"',
    "empty object": "{}",
}


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_hostile_json_bodies_are_refused_with_a_400_never_a_500(alpha, alpha_client, name):
    publish(alpha)
    response = alpha_client.post("/api/v1/participants/", HOSTILE_BODIES[name], content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert _error(response)["code"] in {"malformed_request", "invalid"}


def test_a_refused_value_is_named_by_its_path_without_echoing_it(alpha_client):
    body = '{"events": [{"data": {}}, {"data": {"note": "SECRET\\u0000"}}]}'
    response = alpha_client.post("/api/v1/participants/", body, content_type="application/json")
    error = _error(response)
    assert error["details"] == {"events.1.data.note": ["Must not contain a NUL character."]}
    assert "SECRET" not in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/consent/?x=%00", "/api/v1/studies/a%00b/", "/accounts/login/?next=%00"])
def test_a_nul_in_the_address_is_a_400_not_a_500(platform_client, alpha_client, path):
    for client in (platform_client, alpha_client):
        response = client.get(path)
        assert response.status_code == 400
        if path.startswith("/api/"):
            assert _error(response)["code"] == "malformed_request"
