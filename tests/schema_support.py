"""What a host's OpenAPI schema says a response holds: for tests that a body is what its schema says.

The body of a researcher or participant endpoint is produced by the serializer its schema declares
(docs/architecture.md, "Code shape"); these checks read the published schema itself, so a body
that drifted from it (a key added by hand, one renamed, one dropped) fails.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import host_client

_SCHEMAS: dict[str, dict[str, Any]] = {}


def schema_of(host: str) -> dict[str, Any]:
    """The host's schema, fetched once per test run (it depends on the code only, not on data)."""
    if host not in _SCHEMAS:
        response = host_client(host).get("/api/schema/?format=json")
        assert response.status_code == 200
        _SCHEMAS[host] = response.json()
    return _SCHEMAS[host]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def declared_keys(host: str, path: str, method: str, status: int) -> list[str]:
    """The properties, in order, of the JSON object answered by ``method path`` with ``status``
    (of each item, when the answer is a list)."""
    schema = schema_of(host)
    operation = schema["paths"][path][method.lower()]
    body = _resolve(schema, operation["responses"][str(status)]["content"]["application/json"]["schema"])
    if body.get("type") == "array":
        body = _resolve(schema, body["items"])
    return list(body["properties"])


def assert_body_matches_schema(response: Any, *, host: str, path: str, method: str) -> None:
    """The body's keys are the schema's properties, in the same order (each item's, for a list)."""
    body = response.json()
    wanted = declared_keys(host, path, method, response.status_code)
    items = body if isinstance(body, list) else [body]
    assert items, "an empty list shows no keys: give the test a row"
    for item in items:
        assert list(item) == wanted, (path, method, list(item), wanted)
