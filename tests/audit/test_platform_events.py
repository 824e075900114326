"""Platform-level actions (studies, memberships) land in the public chain with a pseudonymous actor."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from audit.models import AuditEntry
from audit.verification import verify_current_schema
from tenants.membership import membership_grant, membership_revoke


def test_grant_and_revoke_are_logged_with_the_granting_user(alpha):
    users = get_user_model().objects
    boss = users.create_user("boss", email="boss@example.org", password="pw-boss-12345")
    someone = users.create_user("someone@example.org", email="someone@example.org", password="pw-x-1234567")
    membership_grant(study=alpha, user=boss, role="manager")  # only what one holds can be granted
    before = AuditEntry.objects.order_by("-seq").first().seq
    membership_grant(study=alpha, user=someone, role="viewer", acting_user=boss)
    membership_revoke(study=alpha, user=someone, acting_user=boss)
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    events = [e.event for e in entries]
    assert "membership.grant" in events and "membership.revoke" in events
    grant = next(e for e in entries if e.event == "membership.grant")
    assert (grant.actor_id, grant.actor_label, grant.study) == (boss.pk, f"user:{boss.pk}", "alpha")
    assert grant.additional_data["role"] == "viewer"
    # auditlog's own entries for the membership and guardian rows are attributed to the study too.
    assert {"tenants.studymembership", "tenants.studyuserobjectpermission"} <= {e.object_type for e in entries}
    assert all(e.study == "alpha" for e in entries if e.object_type.startswith("tenants."))
    # No e-mail anywhere: not in representations, not in details, not in the actor columns.
    for entry in entries:
        assert "@" not in str(entry.chain_content())
    assert verify_current_schema().intact
