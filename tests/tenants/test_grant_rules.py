"""#18 finding 2: nobody grants what they do not hold; compliance access is the platform's to give.

Before the fix a study manager could give itself `reidentify`'s companions `view_audit`, take the
compliance role and revoke the study's compliance officer, through the members API.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tenants.membership import membership_grant, membership_revoke
from tenants.models import StudyUserObjectPermission
from tests.conftest import api_client_for

MEMBERS = "/api/v1/studies/alpha/members/"


def held(study, user) -> set[str]:
    rows = StudyUserObjectPermission.objects.filter(user=user, content_object=study)
    return set(rows.values_list("permission__codename", flat=True))


@pytest.mark.parametrize(
    "body",
    [
        {"role": "compliance"},
        {"role": "custom", "permissions": ["view_study", "view_audit"]},
        {"role": "custom", "permissions": ["view_study", "view_aggregate", "view_raw", "view_audit"]},
    ],
)
def test_a_manager_cannot_give_itself_or_anyone_compliance_access(cast, alpha, body):
    manager = api_client_for(cast["manager"], "localhost")
    for username in ("t_manager", "t_viewer"):
        response = manager.post(MEMBERS, {"username": username, **body}, format="json")
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "grant_not_allowed"
    assert "view_audit" not in held(alpha, cast["manager"]) | held(alpha, cast["viewer"])


def test_a_manager_cannot_revoke_the_compliance_officer(cast, alpha):
    manager = api_client_for(cast["manager"], "localhost")
    response = manager.delete(MEMBERS, {"username": "t_compliance"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "grant_not_allowed"
    assert "view_audit" in held(alpha, cast["compliance"])
    demoted = manager.post(MEMBERS, {"username": "t_compliance", "role": "viewer"}, format="json")
    assert demoted.status_code == 403 and "view_audit" in held(alpha, cast["compliance"])


def test_nobody_grants_a_permission_they_do_not_hold(cast, alpha):
    """A custom role that manages members but cannot re-identify cannot hand out re-identification."""
    lead = get_user_model().objects.create_user("t_lead", password="pw-lead-12345")
    membership_grant(study=alpha, user=lead, role="custom", permissions=["view_study", "manage_members"])
    client = api_client_for(lead, "localhost")
    refused = client.post(
        MEMBERS,
        {"username": "t_outsider", "role": "custom", "permissions": ["view_study", "reidentify"]},
        format="json",
    )
    assert refused.status_code == 403 and refused.json()["error"]["details"] == {"not_held": ["reidentify"]}
    itself = client.post(MEMBERS, {"username": "t_lead", "role": "manager"}, format="json")
    assert itself.status_code == 403 and held(alpha, lead) == {"view_study", "manage_members"}
    allowed = client.post(
        MEMBERS, {"username": "t_outsider", "role": "custom", "permissions": ["view_study"]}, format="json"
    )
    assert allowed.status_code == 201 and held(alpha, cast["outsider"]) == {"view_study"}


def test_a_manager_still_grants_what_it_holds_and_revokes_ordinary_roles(cast, alpha):
    manager = api_client_for(cast["manager"], "localhost")
    assert manager.post(MEMBERS, {"username": "t_outsider", "role": "analyst"}, format="json").status_code == 201
    assert manager.delete(MEMBERS, {"username": "t_analyst"}, format="json").status_code == 204


def test_platform_admins_grant_and_revoke_compliance_but_never_with_member_management(cast, alpha):
    admin = api_client_for(cast["admin"], "localhost")
    assert admin.post(MEMBERS, {"username": "t_outsider", "role": "compliance"}, format="json").status_code == 201
    assert "view_audit" in held(alpha, cast["outsider"])
    assert admin.delete(MEMBERS, {"username": "t_outsider"}, format="json").status_code == 204
    both = admin.post(
        MEMBERS,
        {"username": "t_outsider", "role": "custom", "permissions": ["view_study", "view_audit", "manage_members"]},
        format="json",
    )
    assert both.status_code == 403 and not held(alpha, cast["outsider"])
    with pytest.raises(Exception, match="never held together"):
        membership_grant(
            study=alpha, user=cast["outsider"], role="custom", permissions=["view_audit", "manage_members"]
        )


def test_the_members_api_answers_alike_for_unknown_and_unusable_names(cast, alpha):
    """Finding 8: 'No account named x' told a manager which accounts exist."""
    cast["outsider"].is_active = False
    cast["outsider"].save()
    manager = api_client_for(cast["manager"], "localhost")
    unknown = manager.post(MEMBERS, {"username": "nobody-here", "role": "viewer"}, format="json")
    inactive = manager.post(MEMBERS, {"username": "t_outsider", "role": "viewer"}, format="json")
    assert unknown.status_code == inactive.status_code == 400
    assert unknown.json() == inactive.json()
    assert "nobody-here" not in unknown.content.decode()
    gone = manager.delete(MEMBERS, {"username": "nobody-here"}, format="json")
    not_member = manager.delete(MEMBERS, {"username": "t_other"}, format="json")  # exists, not on alpha
    assert gone.status_code == not_member.status_code == 404 and gone.json() == not_member.json()
    membership_revoke(study=alpha, user=cast["viewer"])  # the service itself still works for the platform
