"""Writes on study roles: grant (or change) and revoke, keeping guardian permissions in step."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import audit_event
from core.errors import ApplicationError
from tenants.models import Study, StudyMembership, StudyUserObjectPermission
from tenants.roles import CUSTOM_ROLE, ROLES, STUDY_PERMISSIONS


def _permissions_for(role: str, permissions: Iterable[str] | None) -> frozenset[str]:
    if role == CUSTOM_ROLE:
        wanted = frozenset(permissions or ())
        unknown = sorted(wanted - set(STUDY_PERMISSIONS))
        if not wanted or unknown:
            raise ApplicationError(
                "invalid_permissions",
                "A custom role needs one or more known permissions.",
                details={"unknown": unknown, "known": sorted(STUDY_PERMISSIONS)},
            )
        return wanted
    if role not in ROLES:
        raise ApplicationError(
            "invalid_role", f"Unknown role '{role}'.", details={"roles": [*sorted(ROLES), CUSTOM_ROLE]}
        )
    return ROLES[role]


# Separation of duties (OWASP ASVS V8 / V4 access control): who watches the study's managers is
# chosen by the platform, not by the managers. These are granted and revoked by platform admins
# (superusers) only, and never held together with the power to hand out roles.
ADMIN_GRANTED = frozenset({"view_audit"})
NEVER_TOGETHER = (frozenset({"view_audit"}), frozenset({"manage_members"}))


def _held(study: Study, user: Any) -> set[str]:
    return set(
        StudyUserObjectPermission.objects.filter(user=user, content_object=study).values_list(
            "permission__codename", flat=True
        )
    )


def _refuse(message: str) -> ApplicationError:
    return ApplicationError("grant_not_allowed", message, status_code=403)


def _check_may_change(*, study: Study, actor: Any, before: set[str], after: frozenset[str]) -> None:
    """The rules of #18 finding 2; ``actor`` None is the platform itself (seeding, study creation)."""
    if after & NEVER_TOGETHER[0] and after & NEVER_TOGETHER[1]:
        raise _refuse("Reading the audit trail and managing members are never held together.")
    if actor is None or actor.is_superuser:
        return
    if (before ^ after) & ADMIN_GRANTED:
        raise _refuse("Compliance access is granted and revoked by platform administrators only.")
    beyond = sorted(after - before - _held(study, actor))
    if beyond:
        raise ApplicationError(
            "grant_not_allowed",
            "Nobody can grant a permission they do not hold.",
            details={"not_held": beyond},
            status_code=403,
        )


@transaction.atomic
def membership_grant(
    *,
    study: Study,
    user: Any,
    role: str,
    acting_user: Any = None,
    permissions: Iterable[str] | None = None,
    as_creator: bool = False,
) -> StudyMembership:
    """Give ``user`` exactly the permissions of ``role`` on ``study`` (replacing any earlier role).

    ``acting_user`` (who grants; None = the platform itself) must hold every permission it adds;
    compliance access (``view_audit``) is for platform admins to give and take; see
    _check_may_change. ``as_creator``: the platform making the creator of a new study its manager
    (recorded as granted by them).
    """
    wanted = _permissions_for(role, permissions)
    if not user.is_active:
        raise ApplicationError("inactive_user", "That account is deactivated.")
    current = _held(study, user)
    _check_may_change(study=study, actor=None if as_creator else acting_user, before=current, after=wanted)
    for codename in current - wanted:
        remove_perm(f"tenants.{codename}", user, study)
    for codename in wanted - current:
        assign_perm(f"tenants.{codename}", user, study)
    membership, _ = StudyMembership.objects.update_or_create(
        study=study, user=user, defaults={"role": role, "granted_by": acting_user}
    )
    audit_event(
        action="membership.grant",
        obj=membership,
        actor=acting_user,
        details={"study": study.slug, "user_id": user.pk, "role": role, "permissions": sorted(wanted)},
    )
    return membership


@transaction.atomic
def membership_revoke(*, study: Study, user: Any, acting_user: Any = None) -> None:
    """Remove every permission ``user`` holds on ``study``; effective on the next request."""
    _check_may_change(study=study, actor=acting_user, before=_held(study, user), after=frozenset())
    deleted, _ = StudyMembership.objects.filter(study=study, user=user).delete()
    perms = StudyUserObjectPermission.objects.filter(user=user, content_object=study)
    had_permissions = perms.exists()
    perms.delete()
    if not deleted and not had_permissions:
        raise ApplicationError("not_a_member", "That user holds no role on this study.", status_code=404)
    audit_event(
        action="membership.revoke",
        obj=study,
        actor=acting_user,
        details={"study": study.slug, "user_id": user.pk},
    )
