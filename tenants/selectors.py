"""Reads on studies."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from guardian.core import ObjectPermissionChecker

from tenants.models import Study, StudyMembership
from tenants.roles import STUDY_PERMISSIONS


def study_list() -> QuerySet[Study]:
    return Study.objects.all().order_by("slug")


def study_get(*, slug: str) -> Study | None:
    return Study.objects.filter(slug=slug).first()


def studies_of(user: Any) -> list[tuple[Study, str, frozenset[str]]]:
    """Studies ``user`` holds any study permission on (all for platform admins), with role and permissions."""
    from tenants.permissions import study_perms_of
    from tenants.roles import CUSTOM_ROLE

    roles = dict(StudyMembership.objects.filter(user=user).values_list("study_id", "role"))
    if user.is_superuser:
        studies = Study.objects.all()
    else:
        studies = Study.objects.filter(Q(studyuserobjectpermission__user=user) | Q(pk__in=list(roles))).distinct()
    studies = list(studies.order_by("-updated_at", "slug"))
    checker = None
    if not user.is_superuser:  # one query for every study's permissions, not one per study
        checker = ObjectPermissionChecker(user)
        checker.prefetch_perms(studies)
    rows = []
    for study in studies:
        if checker is None:
            perms = frozenset(study_perms_of(user, study))
        else:
            perms = frozenset(code for code in checker.get_perms(study) if code in STUDY_PERMISSIONS)
        if perms:
            role = roles.get(study.pk) or ("platform admin" if user.is_superuser else CUSTOM_ROLE)
            rows.append((study, role, perms))
    return rows
