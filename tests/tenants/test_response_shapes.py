"""The platform endpoints answer what the OpenAPI schema declares; one study list serves the API and the front door."""

from __future__ import annotations

from rest_framework.test import APIClient

from tenants.selectors import studies_of
from tests.conftest import api_client_for
from tests.schema_support import assert_body_matches_schema

PLATFORM = "localhost"


def test_a_token_answer_is_its_schema(cast):
    client = APIClient(HTTP_HOST=PLATFORM)
    response = client.post("/api/v1/auth/token/", {"username": "t_viewer", "password": "pw-viewer-123"}, format="json")
    assert response.status_code == 200
    assert_body_matches_schema(response, host=PLATFORM, path="/api/v1/auth/token/", method="post")


def test_the_study_list_is_its_schema_for_a_member_and_a_platform_admin(cast):
    for actor, role in (("viewer", "viewer"), ("admin", "platform_admin")):
        response = api_client_for(cast[actor], PLATFORM).get("/api/v1/studies/")
        assert response.status_code == 200
        assert_body_matches_schema(response, host=PLATFORM, path="/api/v1/studies/", method="get")
        assert {row["role"] for row in response.json() if row["slug"] == "alpha"} == {role}


def test_the_studies_api_and_the_front_door_list_the_same_studies(cast):
    for actor in ("admin", "manager", "compliance", "other_manager", "outsider"):
        listed = api_client_for(cast[actor], PLATFORM).get("/api/v1/studies/").json()
        front_door = studies_of(cast[actor])
        assert sorted(row["slug"] for row in listed) == sorted(study.slug for study, _, _ in front_door), actor
        # The front door writes the admin's role in words; every other role is the API's.
        words = {study.slug: role for study, role, _ in front_door}
        assert all(words[row["slug"]] == row["role"].replace("_", " ") for row in listed), actor


def test_the_members_api_and_the_members_page_list_the_same_people(cast, alpha):
    listed = api_client_for(cast["manager"], PLATFORM).get("/api/v1/studies/alpha/members/").json()
    names = [row["username"] for row in listed]
    page = APIClient(HTTP_HOST=alpha.domain_name)
    page.force_login(cast["manager"])
    html = page.get("/manage/members/").content.decode()
    assert names == sorted(names)
    assert all(f"<td>{name}</td>" in html for name in names)
