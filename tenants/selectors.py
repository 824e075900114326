"""Reads on studies."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from guardian.core import ObjectPermissionChecker

from tenants.models import Study, StudyMembership
from tenants.roles import STUDY_PERMISSIONS


def study_get(*, slug: str) -> Study | None:
    return Study.objects.filter(slug=slug).first()


# The study list's role for a platform admin who holds no membership (the API's machine-readable word).
PLATFORM_ADMIN_ROLE = "platform_admin"


def study_list_for(*, user: Any, order_by: tuple[str, ...] = ("slug",)) -> list[tuple[Study, str]]:
    """Studies ``user`` holds a role or any object permission on (every study for platform admins), with
    the role: the membership's, else ``platform_admin`` for a superuser, else ``custom``. Two queries.

    The one query behind the studies API and the front door's "My studies".
    """
    from tenants.roles import CUSTOM_ROLE

    roles = dict(StudyMembership.objects.filter(user=user).values_list("study_id", "role"))
    if user.is_superuser:
        studies = Study.objects.all()
    else:
        studies = Study.objects.filter(Q(studyuserobjectpermission__user=user) | Q(pk__in=list(roles))).distinct()
    fallback = PLATFORM_ADMIN_ROLE if user.is_superuser else CUSTOM_ROLE
    return [(study, roles.get(study.pk) or fallback) for study in studies.order_by(*order_by)]


def studies_of(user: Any) -> list[tuple[Study, str, frozenset[str]]]:
    """Studies ``user`` holds any study permission on (all for platform admins), with role and permissions."""
    from tenants.permissions import study_perms_of

    listed = study_list_for(user=user, order_by=("-updated_at", "slug"))
    checker = None
    if not user.is_superuser:  # one query for every study's permissions, not one per study
        checker = ObjectPermissionChecker(user)
        checker.prefetch_perms([study for study, _ in listed])
    rows = []
    for study, role in listed:
        if checker is None:
            perms = frozenset(study_perms_of(user, study))
        else:
            perms = frozenset(code for code in checker.get_perms(study) if code in STUDY_PERMISSIONS)
        if perms:
            # The front door writes the admin's role in words.
            rows.append((study, "platform admin" if role == PLATFORM_ADMIN_ROLE else role, perms))
    return rows


def membership_list(*, study: Study) -> QuerySet[StudyMembership]:
    """A study's members with their users, by username: the members API and the members page."""
    return StudyMembership.objects.filter(study=study).select_related("user").order_by("user__username")


def user_get(*, username: str, active_only: bool = False) -> Any:
    """The account of that name (only an active one with ``active_only``), or None."""
    users = get_user_model().objects.filter(username=username)
    return (users.filter(is_active=True) if active_only else users).first()
