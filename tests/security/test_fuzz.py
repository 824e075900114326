"""Bounded API fuzzing with schemathesis on both hosts, as anonymous, a participant and a researcher.

`make fuzz` runs the same with FUZZ_EXAMPLES=60 (this run: a few per operation, under two minutes).
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.consent.support import enrol, publish
from tests.security.fuzz_support import fuzz, fuzz_examples

FIGURES: dict[str, int] = {}


def _skip(method: str, path: str) -> bool:
    # Provisioning a schema per generated slug is slow and tested elsewhere; the others would end
    # the caller's credentials for the rest of the run.
    return (method, path) in {
        ("POST", "/api/v1/studies/"),
        ("DELETE", "/api/v1/auth/token/"),  # revokes the fuzzer's own credentials
        ("POST", "/api/v1/me/withdraw/"),  # ends the participant; withdrawal has its own tests
    }


@pytest.fixture
def fuzz_credentials(alpha, cast, settings):  # type: ignore[no-untyped-def]
    from tenants.credentials import api_token_issue

    settings.RATE_LIMITS_ENABLED = False
    settings.AXES_ENABLED = False
    token = enrol(Client(HTTP_HOST=alpha.domain_name), publish(alpha)).json()["token"]
    admin_token = api_token_issue(user=cast["admin"])
    viewer_token = api_token_issue(user=cast["viewer"])
    return {
        "anonymous": {},
        "participant": {"Authorization": f"Bearer {token}"},
        "researcher": {"Authorization": f"Token {admin_token}"},
        "viewer": {"Authorization": f"Token {viewer_token}"},
    }


@pytest.mark.parametrize(
    "host,who",
    [
        ("localhost", "anonymous"),
        ("localhost", "researcher"),
        ("alpha.localhost", "anonymous"),
        ("alpha.localhost", "participant"),
        ("alpha.localhost", "viewer"),
        ("alpha.localhost", "researcher"),
    ],
)
def test_fuzzing_finds_no_server_error_and_no_schema_violation(fuzz_credentials, host, who):
    report = fuzz(host, fuzz_credentials[who], examples=fuzz_examples(4), skip=_skip)
    assert report.operations >= 3
    assert report.cases >= report.operations
    assert not report.failures, "\n".join(report.failures)
    assert not any(status >= 500 for status in report.statuses)
