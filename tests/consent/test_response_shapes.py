"""Joining a study answers exactly what the OpenAPI schema declares (same keys, same order)."""

from __future__ import annotations

from tests.consent.support import enrol, publish
from tests.schema_support import assert_body_matches_schema


def test_the_enrolment_body_is_its_schema(alpha, alpha_client):
    response = enrol(alpha_client, publish(alpha))
    assert response.status_code == 201
    assert_body_matches_schema(response, host="alpha.localhost", path="/api/v1/participants/", method="post")
