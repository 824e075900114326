"""The member list (API and manage page) costs the same number of queries for 3 members as for 10."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from tenants.membership import membership_grant
from tests.conftest import api_client_for, queries_of_get, signed_in


def _members(study, start: int, stop: int) -> None:
    for i in range(start, stop):
        user = get_user_model().objects.create_user(f"t_member_{i}", password=f"pw-member-{i}-123")
        membership_grant(study=study, user=user, role=("viewer", "analyst")[i % 2])


def test_the_members_do_not_grow_queries_with_members(cast, alpha):
    api = api_client_for(cast["manager"], "localhost")
    page = signed_in(cast["manager"], alpha.domain_name)
    few = (queries_of_get(api, "/api/v1/studies/alpha/members/"), queries_of_get(page, "/manage/members/"))
    _members(alpha, 0, 7)
    assert len(api.get("/api/v1/studies/alpha/members/").json()) == 4 + 7
    many = (queries_of_get(api, "/api/v1/studies/alpha/members/"), queries_of_get(page, "/manage/members/"))
    assert many == few
