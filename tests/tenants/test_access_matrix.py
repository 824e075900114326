"""Every researcher endpoint x every kind of caller gets exactly the expected status.

Add a row for each new researcher endpoint (any app). ``expect`` lists statuses for the actors
that are let in; everyone else gets the refusal that fits them: anonymous 401, no role on the
study (outsider, another study's manager) 404 so existence is not revealed, a role without the
needed permission 403. ``test_every_api_route_is_in_the_matrix`` keeps this file complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.conftest import ALL_ACTORS, api_client_for

PLATFORM = "localhost"
ALPHA = "alpha.localhost"


@dataclass(frozen=True)
class Row:
    host: str
    method: str
    path: str
    allowed: dict[str, int]  # actor -> status for those let in
    body: dict = field(default_factory=dict)
    # Status for an authenticated user without a role: 404 when the route names a study.
    no_role: int = 404
    # Status for a role without the permission.
    denied: int = 403


EVERY_ROLE = {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200, "compliance": 200}
MANAGERS = {"admin": 200, "manager": 200}

MATRIX: list[Row] = [
    Row(PLATFORM, "get", "/api/v1/studies/", {**EVERY_ROLE, "outsider": 200, "other_manager": 200}),
    Row(PLATFORM, "post", "/api/v1/studies/", {"admin": 201}, body={"slug": "new-{actor}", "title": "New"},
        no_role=403),
    Row(PLATFORM, "get", "/api/v1/studies/alpha/", EVERY_ROLE),
    Row(PLATFORM, "patch", "/api/v1/studies/alpha/", MANAGERS, body={"title": "Renamed"}),
    Row(PLATFORM, "get", "/api/v1/studies/alpha/members/", MANAGERS),
    Row(PLATFORM, "post", "/api/v1/studies/alpha/members/", {"admin": 201, "manager": 201},
        body={"username": "t_outsider", "role": "viewer"}),
    Row(PLATFORM, "delete", "/api/v1/studies/alpha/members/", {"admin": 204, "manager": 204},
        body={"username": "t_viewer"}),
    Row(ALPHA, "get", "/api/v1/study/", EVERY_ROLE),
]

# Routes that are not researcher endpoints: public, token exchange, or participants' own.
NOT_RESEARCHER_ROUTES = {
    (PLATFORM, "api/v1/auth/token/"),
    (ALPHA, "api/v1/auth/token/"),
}


def expected_status(row: Row, actor: str) -> int:
    if actor in row.allowed:
        return row.allowed[actor]
    if actor == "anonymous":
        return 401
    if actor in {"outsider", "other_manager"}:
        return row.no_role
    return row.denied


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: f"{r.method.upper()} {r.host}{r.path}")
@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_each_caller_gets_exactly_the_expected_status(cast, row, actor):
    client = api_client_for(cast[actor], row.host)
    body = {k: (v.format(actor=actor.replace("_", "-")) if isinstance(v, str) else v) for k, v in row.body.items()}
    response = getattr(client, row.method)(row.path, body, format="json")
    assert response.status_code == expected_status(row, actor), response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def _api_routes(urlconf: str) -> set[str]:
    from django.urls import get_resolver

    routes: set[str] = set()

    def walk(patterns, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
            elif route.startswith("api/v1/"):
                routes.add(route)

    walk(get_resolver(urlconf).url_patterns, "")
    return routes


def _matrix_routes() -> set[tuple[str, str]]:
    import re

    def normalise(path: str) -> str:
        return re.sub(r"/alpha/", "/<str:slug>/", path.lstrip("/"))

    return {(row.host, normalise(row.path)) for row in MATRIX}


def test_every_api_route_is_in_the_matrix():
    """A new researcher endpoint without a matrix row fails here; participant endpoints are listed."""
    from tests.tenants.participant_routes import PARTICIPANT_ROUTES

    covered = _matrix_routes() | NOT_RESEARCHER_ROUTES | {(ALPHA, r) for r in PARTICIPANT_ROUTES}
    routes = {(PLATFORM, r) for r in _api_routes("research_platform.urls_public")} | {
        (ALPHA, r) for r in _api_routes("research_platform.urls_tenants")
    }
    missing = sorted(routes - covered)
    assert not missing, f"add rows to MATRIX (or participant_routes.py) for: {missing}"
