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


# A session id that exists nowhere: roles let in get 404 (tests/games/test_researcher_api.py covers 200s).
NO_SESSION = "00000000-0000-4000-8000-000000000000"
EVERY_ROLE = {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200, "compliance": 200}
MANAGERS = {"admin": 200, "manager": 200}
ANALYSTS = {"admin": 200, "manager": 200, "analyst": 200}
UNKNOWN_ID = "11111111-1111-4111-8111-111111111111"  # no such deletion request
VIEWERS_404 = {"admin": 404, "manager": 404, "analyst": 404, "viewer": 404}  # view_aggregate, nothing there

MATRIX: list[Row] = [
    Row(PLATFORM, "get", "/api/v1/studies/", {**EVERY_ROLE, "outsider": 200, "other_manager": 200}),
    Row(
        PLATFORM, "post", "/api/v1/studies/", {"admin": 201}, body={"slug": "new-{actor}", "title": "New"}, no_role=403
    ),
    Row(PLATFORM, "get", "/api/v1/studies/alpha/", EVERY_ROLE),
    Row(PLATFORM, "patch", "/api/v1/studies/alpha/", MANAGERS, body={"title": "Renamed"}),
    Row(PLATFORM, "get", "/api/v1/studies/alpha/members/", MANAGERS),
    Row(
        PLATFORM,
        "post",
        "/api/v1/studies/alpha/members/",
        {"admin": 201, "manager": 201},
        body={"username": "t_outsider", "role": "viewer"},
    ),
    Row(
        PLATFORM,
        "delete",
        "/api/v1/studies/alpha/members/",
        {"admin": 204, "manager": 204},
        body={"username": "t_viewer"},
    ),
    Row(ALPHA, "get", "/api/v1/study/", EVERY_ROLE),
    # the dashboard's design panels (view_aggregate, like /dashboard/)
    *(
        Row(ALPHA, "get", f"/api/v1/study/{name}/", {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200})
        for name in ("design", "reliability", "validity")
    ),
    # consent / pseudonymization (researcher side)
    Row(ALPHA, "get", "/api/v1/participants/", {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200}),
    # No reason given: a permitted caller reaches validation (400) before any look-up.
    Row(ALPHA, "post", "/api/v1/participants/P-2222-2222/reidentify/", {"admin": 400, "manager": 400}),
    Row(ALPHA, "get", "/api/v1/consent/documents/", EVERY_ROLE),
    Row(
        ALPHA,
        "post",
        "/api/v1/consent/documents/",
        {"admin": 201, "manager": 201},
        body={"version": "v-{actor}", "title": "Consent", "text": "You may stop at any time."},
    ),
    # Unknown version: a permitted caller gets 404 (tests/consent/test_manage_api.py publishes a real one).
    Row(ALPHA, "post", "/api/v1/consent/documents/9.9/publish/", {"admin": 404, "manager": 404}),
    Row(ALPHA, "get", "/api/v1/consent/settings/", EVERY_ROLE),
    Row(ALPHA, "patch", "/api/v1/consent/settings/", MANAGERS, body={"require_reconsent": True}),
    # rights: the deletion workflow (tests/rights/ act on real requests; an unknown id is 404 here)
    Row(ALPHA, "get", "/api/v1/deletion-requests/", MANAGERS),
    Row(
        ALPHA,
        "post",
        "/api/v1/deletion-requests/",
        {"admin": 404, "manager": 404},
        body={"participant_code": "P-2222-2222"},
    ),
    Row(ALPHA, "get", f"/api/v1/deletion-requests/{UNKNOWN_ID}/", {"admin": 404, "manager": 404}),
    Row(ALPHA, "post", f"/api/v1/deletion-requests/{UNKNOWN_ID}/verify/", {"admin": 404, "manager": 404}),
    Row(ALPHA, "post", f"/api/v1/deletion-requests/{UNKNOWN_ID}/execute/", {"admin": 404, "manager": 404}),
    Row(
        ALPHA,
        "post",
        f"/api/v1/deletion-requests/{UNKNOWN_ID}/reject/",
        {"admin": 404, "manager": 404},
        body={"reason": "Not a participant of this study"},
    ),
    Row(ALPHA, "get", "/api/v1/rights/settings/", MANAGERS),
    Row(ALPHA, "patch", "/api/v1/rights/settings/", MANAGERS, body={"due_days": 20}),
    # audit (issue 7): compliance officers and platform staff; on the platform host, no role = 403.
    Row(PLATFORM, "get", "/api/v1/audit/", {"admin": 200, "compliance": 200}, no_role=403),
    Row(PLATFORM, "get", "/api/v1/audit/verify/", {"admin": 200, "compliance": 200}, no_role=403),
    Row(ALPHA, "get", "/api/v1/audit/", {"admin": 200, "compliance": 200}),
    Row(ALPHA, "get", "/api/v1/audit/checkpoints/", {"admin": 200, "compliance": 200}),
    Row(ALPHA, "get", "/api/v1/sessions/", {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200}),
    Row(
        ALPHA,
        "get",
        f"/api/v1/sessions/{NO_SESSION}/balloons/",
        {"admin": 404, "manager": 404, "analyst": 404, "viewer": 404},
    ),
    Row(ALPHA, "get", f"/api/v1/sessions/{NO_SESSION}/events/", {"admin": 404, "manager": 404, "analyst": 404}),
    # dashboard exports (issue 9): analysts and up (export_data); the query string goes in `body`.
    Row(ALPHA, "get", "/api/v1/export/", ANALYSTS, body={"format": "hbayesdm"}),
    Row(ALPHA, "get", "/api/v1/export/jobs/", ANALYSTS),
    # questionnaires: the researchers' reads are export_data's (analysts and up).
    Row(ALPHA, "get", "/api/v1/questionnaires/", ANALYSTS),
    Row(ALPHA, "get", "/api/v1/questionnaires/responses/", ANALYSTS),
    Row(
        ALPHA,
        "post",
        "/api/v1/export/jobs/",
        {"admin": 202, "manager": 202, "analyst": 202},
        body={"format": "balloons"},
    ),
    Row(ALPHA, "get", f"/api/v1/export/jobs/{NO_SESSION}/", {"admin": 404, "manager": 404, "analyst": 404}),
    Row(ALPHA, "get", f"/api/v1/export/jobs/{NO_SESSION}/download/", {"admin": 404, "manager": 404, "analyst": 404}),
    # traits: unknown session / participant: 404 for permitted callers (tests/traits/test_apis.py has real data)
    Row(ALPHA, "get", f"/api/v1/sessions/{NO_SESSION}/metrics/", VIEWERS_404),
    Row(ALPHA, "get", "/api/v1/participants/P-2222-2222/traits/", VIEWERS_404),
    Row(ALPHA, "get", "/api/v1/participants/P-2222-2222/models/", VIEWERS_404),
    # study-level fits: an empty study has no fit yet (200, empty list); a refit is refused with 409 for too few
    Row(ALPHA, "get", "/api/v1/study-fits/", {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200}),
    Row(ALPHA, "post", "/api/v1/study-fits/", {"admin": 409, "manager": 409, "analyst": 409}),
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
        path = path.replace(f"/jobs/{NO_SESSION}/", "/jobs/<uuid:job_id>/")
        path = path.replace(f"/{NO_SESSION}/", "/<uuid:session_id>/")
        path = re.sub(r"/alpha/", "/<str:slug>/", path.lstrip("/"))
        path = re.sub(r"/P-[0-9A-Z]{4}-[0-9A-Z]{4}/", "/<str:code>/", path)
        path = re.sub(r"/deletion-requests/[0-9a-f-]{36}/", "/deletion-requests/<uuid:request_id>/", path)
        return re.sub(r"/documents/[^/]+/publish/", "/documents/<str:version>/publish/", path)

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
