"""Roles, tokens, lockout and the structural scoping rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from core.errors import ApplicationError
from tenants.membership import membership_grant, membership_revoke
from tenants.models import Study, StudyMembership
from tenants.permissions import StudyAPIView, study_perms_of
from tenants.roles import ROLES, role_for_permissions
from tests.conftest import api_client_for


def test_roles_nest_as_documented():
    assert ROLES["viewer"] < ROLES["analyst"] < ROLES["manager"]
    assert "view_audit" in ROLES["compliance"] and "view_aggregate" not in ROLES["compliance"]
    assert role_for_permissions({"view_study", "view_raw"}) == "custom"


def test_granted_roles_become_exactly_those_permissions(cast, alpha):
    for role in ("manager", "analyst", "viewer", "compliance"):
        assert study_perms_of(cast[role], alpha) == set(ROLES[role])


def test_a_role_on_alpha_gives_nothing_on_beta(cast, beta):
    assert study_perms_of(cast["manager"], beta) == set()


def test_changing_a_role_replaces_the_permissions(cast, alpha):
    membership_grant(study=alpha, user=cast["manager"], role="viewer")
    assert study_perms_of(cast["manager"], alpha) == set(ROLES["viewer"])
    assert StudyMembership.objects.get(study=alpha, user=cast["manager"]).role == "viewer"


def test_a_custom_role_is_any_set_of_known_permissions(cast, alpha):
    membership_grant(study=alpha, user=cast["outsider"], role="custom", permissions=["view_study", "view_raw"])
    assert study_perms_of(cast["outsider"], alpha) == {"view_study", "view_raw"}
    with pytest.raises(ApplicationError) as info:
        membership_grant(study=alpha, user=cast["outsider"], role="custom", permissions=["launch_rockets"])
    assert info.value.code == "invalid_permissions"


def test_revoking_a_role_takes_effect_on_the_next_request(cast, alpha):
    client = api_client_for(cast["viewer"], "alpha.localhost")
    assert client.get("/api/v1/study/").status_code == 200
    membership_revoke(study=alpha, user=cast["viewer"])
    assert client.get("/api/v1/study/").status_code == 404


def test_a_deactivated_user_is_refused_even_with_a_role(cast):
    client = api_client_for(cast["manager"], "alpha.localhost")
    cast["manager"].is_active = False
    cast["manager"].save()
    assert client.get("/api/v1/study/").status_code == 401


def test_a_token_is_issued_for_good_credentials_and_works_on_study_hosts(cast):
    client = APIClient(HTTP_HOST="localhost")
    response = client.post("/api/v1/auth/token/", {"username": "t_viewer", "password": "pw-viewer-123"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    study_client = APIClient(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    assert study_client.get("/api/v1/study/").json()["slug"] == "alpha"


def test_bad_credentials_get_401_with_the_error_shape(cast):
    client = APIClient(HTTP_HOST="localhost")
    response = client.post("/api/v1/auth/token/", {"username": "t_viewer", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_a_malformed_token_request_gets_400(db):
    response = APIClient(HTTP_HOST="localhost").post("/api/v1/auth/token/", {"username": ""}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]


def test_repeated_failures_lock_the_account_with_429(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient(HTTP_HOST="localhost")
    for _ in range(3):
        client.post("/api/v1/auth/token/", {"username": "t_viewer", "password": "wrong"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": "t_viewer", "password": "pw-viewer-123"}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) > 0


def test_a_revoked_token_stops_working(cast):
    client = api_client_for(cast["viewer"], "localhost")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/studies/").status_code == 401


def test_creating_a_study_makes_the_creator_its_manager(cast):
    creator = get_user_model().objects.create_user("t_creator", password="pw-creator-123")
    from django.contrib.auth.models import Permission

    creator.user_permissions.add(Permission.objects.get(codename="add_study"))
    client = api_client_for(creator, "localhost")
    response = client.post("/api/v1/studies/", {"slug": "mine", "title": "Mine"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["url"] == "http://mine.localhost:8000/"
    assert study_perms_of(creator, Study.objects.get(slug="mine")) == set(ROLES["manager"])


def test_a_study_with_a_bad_game_config_is_refused_with_details(cast):
    client = api_client_for(cast["admin"], "localhost")
    response = client.post("/api/v1/studies/", {"slug": "bad", "title": "Bad", "game": {"colors": []}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_game_config"
    assert "$.colors" in response.json()["error"]["details"]


def test_the_study_list_shows_only_studies_with_a_role(cast):
    body = api_client_for(cast["other_manager"], "localhost").get("/api/v1/studies/").json()
    assert [s["slug"] for s in body] == ["beta"]
    assert api_client_for(cast["outsider"], "localhost").get("/api/v1/studies/").json() == []
    admin_slugs = [s["slug"] for s in api_client_for(cast["admin"], "localhost").get("/api/v1/studies/").json()]
    assert {"alpha", "beta"} <= set(admin_slugs)


def _query_count(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


def test_the_study_list_does_not_grow_queries_with_studies(cast):
    from tenants.services import study_create

    client = api_client_for(cast["viewer"], "localhost")
    with_one = _query_count(client, "/api/v1/studies/")
    for i in range(5):
        study = study_create(slug=f"many-{i}", title="Many")
        membership_grant(study=study, user=cast["viewer"], role="viewer")
    assert _query_count(client, "/api/v1/studies/") == with_one <= 5
    assert len(client.get("/api/v1/studies/").json()) == 6


def test_the_members_list_does_not_grow_queries_with_members(cast, alpha):
    client = api_client_for(cast["manager"], "localhost")
    with_four = _query_count(client, "/api/v1/studies/alpha/members/")
    for i in range(5):
        user = get_user_model().objects.create_user(f"t_extra{i}", password="pw-extra-123")
        membership_grant(study=alpha, user=user, role="viewer")
    # knox reads the token, then its user (DRF authtoken joined them): 8, not 7, and constant.
    assert _query_count(client, "/api/v1/studies/alpha/members/") == with_four <= 8
    assert len(client.get("/api/v1/studies/alpha/members/").json()) == 9


def test_a_view_cannot_replace_the_study_scoping():
    from rest_framework.permissions import AllowAny

    with pytest.raises(TypeError):
        type("Sneaky", (StudyAPIView,), {"permission_classes": [AllowAny], "required_study_perm": "view_study"})
    with pytest.raises(TypeError):
        type("Typo", (StudyAPIView,), {"required_study_perm": "view_everything"})


def test_a_method_without_a_declared_permission_is_unreachable(cast, alpha):
    client = api_client_for(cast["admin"], "alpha.localhost")
    assert client.post("/api/v1/study/", {}, format="json").status_code == 405


def test_unknown_api_paths_answer_in_the_error_shape(alpha_client):
    response = alpha_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_the_openapi_schema_and_docs_are_served_locally(db, host):
    client = APIClient(HTTP_HOST=host)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
