"""Schemathesis against the platform's own OpenAPI schemas, in-process (WSGI) inside the test transaction.

Shared by the bounded run in the suite (tests/security/test_fuzz.py) and `make fuzz` (more examples).
Checks: no 5xx, response bodies and content types conform to the schema, and every 4xx under
/api/ carries the platform's error shape.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance


def fuzz_examples(default: int) -> int:
    return int(os.environ.get("FUZZ_EXAMPLES", default))


def wsgi_app() -> Callable:
    """Django's test handler as a WSGI app: same thread, same connection, same test transaction."""
    handler = ClientHandler(enforce_csrf_checks=False)

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        response = handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if getattr(response, "streaming", False):
            return [b"".join(response.streaming_content)]
        return [response.content]

    return app


def load_schema(host: str) -> Any:
    raw = Client(HTTP_HOST=host).get("/api/schema/?format=json")
    assert raw.status_code == 200, raw.content[:200]
    schema = schemathesis.openapi.from_dict(raw.json())
    schema.app = wsgi_app()
    return schema


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass
class FuzzReport:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    operations: int = 0


def fuzz(host: str, headers: dict[str, str], *, examples: int, skip: Callable[[str, str], bool]) -> FuzzReport:
    schema = load_schema(host)
    report = FuzzReport()
    for result in schema.get_all_operations():
        operation = result.ok()
        if skip(operation.method.upper(), operation.path):
            continue
        report.operations += 1

        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(base_url=f"http://{host}", headers=headers)
            report.cases += 1
            report.statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, additional_checks=[])
            if response.status_code >= 400 and case.path.startswith("/api/"):
                body = response.json()
                assert isinstance(body, dict) and set(body.get("error", {})) == {"code", "message", "details"}, (
                    f"{response.status_code} without the error shape: {response.text[:200]}"
                )

        try:
            run()
        except Exception as exc:  # one line per failing operation; the run goes on with the next
            report.failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    return report
