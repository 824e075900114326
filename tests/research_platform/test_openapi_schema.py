"""Each host's OpenAPI schema: a tag per area, a summary per operation, the Error body, paging, a title per host.

Run with `-rP` to see every operation's tag and summary (test_every_operation_has_a_declared_tag_...).
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from django.conf import settings
from django.core.management import call_command

from core.errors import error_body
from research_platform import openapi_hooks
from tests.conftest import host_client

HOSTS = ("localhost", "alpha.localhost")
METHODS = {"get", "post", "put", "patch", "delete"}
DECLARED_TAGS = [tag["name"] for tag in settings.SPECTACULAR_SETTINGS["TAGS"]]
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schemas(django_db_setup, django_db_blocker) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        fetched = {host: host_client(host).get("/api/schema/?format=json") for host in HOSTS}
    assert all(response.status_code == 200 for response in fetched.values())
    return {host: response.json() for host, response in fetched.items()}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _component(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _query(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


@pytest.mark.parametrize("host", HOSTS)
def test_every_operation_has_a_declared_tag_and_a_summary_that_reads_as_one(schemas, host):
    schema = schemas[host]
    rows = []
    for method, path, operation in _operations(schema):
        summary = operation.get("summary", "")
        rows.append(f"{operation['tags'][0]:<13} {method.upper():<7}{path:<50} {summary}")
        assert operation["tags"] != ["v1"] and len(operation["tags"]) == 1, (method, path)
        assert operation["tags"][0] in DECLARED_TAGS, (method, path)
        assert summary.strip(), (method, path)
        # Not a docstring's first line ("GET /api/v1/... — ..."): a short phrase that starts with a verb.
        assert not re.search(r"\b(GET|POST|PATCH|DELETE)\b|/api/", summary) and len(summary) <= 80, summary
        assert summary[0].isupper() and not summary.endswith("."), summary
    print(f"\n{host}: {len(rows)} operations\n" + "\n".join(sorted(rows)))
    assert len(rows) >= (11 if host == "localhost" else 40)


@pytest.mark.parametrize("host", HOSTS)
def test_the_schema_lists_only_the_tags_it_uses_in_the_declared_order(schemas, host):
    listed = [tag["name"] for tag in schemas[host]["tags"]]
    used = {operation["tags"][0] for _, _, operation in _operations(schemas[host])}
    assert set(listed) == used
    assert listed == [name for name in DECLARED_TAGS if name in used]
    assert all(tag["description"] for tag in schemas[host]["tags"])


def test_the_hosts_carry_their_own_titles_and_areas(schemas):
    platform, study = schemas["localhost"]["info"], schemas["alpha.localhost"]["info"]
    assert platform["title"] == "Research platform API — platform host (studies, members, audit)"
    assert study["title"] == "Research platform API — study host (consent, game, participants, exports)"
    assert platform["description"] != study["description"]
    assert {t["name"] for t in schemas["localhost"]["tags"]} == {"auth", "studies", "members", "audit"}
    assert {"consent", "game", "participants", "exports"} <= {t["name"] for t in schemas["alpha.localhost"]["tags"]}


@pytest.mark.parametrize("host", HOSTS)
def test_every_4xx_response_is_the_error_component_and_it_matches_error_body(schemas, host):
    schema = schemas[host]
    error = schema["components"]["schemas"]["Error"]
    jsonschema.validate(error_body("invalid", "The request is not valid.", {"agree": ["Required."]}), error)
    jsonschema.validate(error_body("not_found", "Not found."), error)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"detail": "Not found."}, error)  # DRF's own shape is not ours
    seen = 0
    for method, path, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                seen += 1
                assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (method, path, code)
                assert response["description"] not in {"", "No response body"}, (method, path, code)
            if code == "429":
                assert "Retry-After" in response["headers"], (method, path)
    assert seen > 20


@pytest.mark.parametrize("host", HOSTS)
def test_401_is_documented_exactly_where_credentials_are_required(schemas, host):
    for method, path, operation in _operations(schemas[host]):
        security = operation.get("security", [])
        needs_credentials = bool(security) and {} not in security
        if (method, path) == ("post", "/api/v1/auth/token/"):
            needs_credentials = True  # wrong username or password: 401 `invalid_credentials`
        assert ("401" in operation["responses"]) == needs_credentials, (method, path)


def test_the_study_hosts_researcher_endpoints_document_403_and_404_and_its_public_reads_do_not(schemas):
    operations = {(m, p): op for m, p, op in _operations(schemas["alpha.localhost"])}
    for (method, path), operation in operations.items():
        if {"knoxApiToken": []} in operation.get("security", []) and path != "/api/v1/auth/token/":
            assert {"403", "404"} <= set(operation["responses"]), (method, path)
    for key in [("get", "/api/v1/consent/"), ("get", "/api/v1/game/event-schema/")]:
        assert not {"401", "403", "429"} & set(operations[key]["responses"]), key
    assert "413" in operations[("post", "/api/v1/participants/")]["responses"]  # a body may be too large
    assert "413" not in operations[("get", "/api/v1/sessions/")]["responses"]  # a GET has no body


def test_the_participant_list_is_documented_as_the_research_teams(schemas):
    operation = schemas["alpha.localhost"]["paths"]["/api/v1/participants/"]["get"]
    assert {} not in operation["security"] and {"knoxApiToken": []} in operation["security"]


def test_every_paged_list_documents_limit_and_offset(schemas):
    paged = set()
    for host in HOSTS:
        schema = schemas[host]
        for method, path, operation in _operations(schema):
            ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
            ref = ok.get("schema", {}).get("$ref")
            if not ref or not {"count", "results"} <= set(_component(schema, ref).get("properties", {})):
                continue
            paged.add((host, method, path))
            query = _query(operation)
            assert {"limit", "offset"} <= set(query), (host, method, path)
            assert query["limit"]["description"] and query["offset"]["description"]
    assert {
        ("alpha.localhost", "get", "/api/v1/participants/"),
        ("alpha.localhost", "get", "/api/v1/sessions/"),
        ("alpha.localhost", "get", "/api/v1/sessions/{session_id}/events/"),
        ("alpha.localhost", "get", "/api/v1/deletion-requests/"),
        ("alpha.localhost", "get", "/api/v1/audit/"),
        ("localhost", "get", "/api/v1/audit/"),
    } <= paged


def test_the_raw_event_pages_document_their_own_limits(schemas):
    query = _query(schemas["alpha.localhost"]["paths"]["/api/v1/sessions/{session_id}/events/"]["get"])
    assert query["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 5000}
    assert "default 500" in query["limit"]["description"]
    sessions = _query(schemas["alpha.localhost"]["paths"]["/api/v1/sessions/"]["get"])
    assert "default 100" in sessions["limit"]["description"] and "maximum" not in sessions["limit"]["schema"]


@pytest.mark.parametrize("urlconf", [settings.PUBLIC_SCHEMA_URLCONF, settings.ROOT_URLCONF])
def test_generating_each_hosts_schema_gives_no_warning(db, tmp_path, urlconf):
    """drf-spectacular's warnings include ours: an endpoint without a tag rule or a summary."""
    call_command("spectacular", "--urlconf", urlconf, "--fail-on-warn", "--validate", "--file", str(tmp_path / "s"))


def test_an_endpoint_no_tag_rule_covers_is_reported_not_filed_under_v1(monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(openapi_hooks, "warn", warnings.append)
    operation = {"tags": ["v1"], "summary": "Do something new", "responses": {"200": {"description": ""}}}
    result = {"info": {}, "paths": {"/api/v1/something-new/": {"get": operation}}}
    generator = type("Generator", (), {"urlconf": None, "endpoints": []})()
    openapi_hooks.postprocess(result=result, generator=generator, request=None, public=True)
    assert warnings == ["no declared tag covers GET /api/v1/something-new/: add a rule to TAG_RULES"]
    assert operation["tags"] == ["v1"]  # left as it was: the schema tests above then fail on it


def test_every_tag_a_rule_names_is_declared():
    assert {tag for _, tag in openapi_hooks.TAG_RULES} <= set(DECLARED_TAGS)


def test_the_participants_data_read_documents_its_download_parameter(schemas):
    query = _query(schemas["alpha.localhost"]["paths"]["/api/v1/me/data/"]["get"])
    assert query["download"]["schema"] == {"type": "string"} and not query["download"].get("required")
    assert "Content-Disposition: attachment" in query["download"]["description"]
