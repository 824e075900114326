"""Who may read which study's audit trail: the compliance role (view_audit) and platform superusers.

The reads themselves are audit.selectors; this decides the studies they are given (docs/roles.md).
"""

from __future__ import annotations

from typing import Any

from audit.selectors import AuditFilters
from core.errors import ApplicationError
from tenants.models import Study
from tenants.permissions import study_perms_of


def is_platform_auditor(user: Any) -> bool:
    """Superusers see every study's trail and the platform-wide entries (docs/roles.md).

    ``is_staff`` alone is not enough: it opens the Django admin, not the audit trail, which only
    superusers and holders of ``view_audit`` on a study may read (separation of duties).
    """
    return bool(getattr(user, "is_active", False) and user.is_superuser)


def covered_studies(user: Any) -> list[Study]:
    """The studies whose trail ``user`` may read (view_audit), in slug order."""
    if not getattr(user, "is_authenticated", False):
        return []
    studies = list(Study.objects.order_by("slug"))
    if is_platform_auditor(user):
        return studies
    return [s for s in studies if "view_audit" in study_perms_of(user, s)]


def scope_for(user: Any, f: AuditFilters, *, only: Study | None = None) -> tuple[list[Study], bool]:
    """(studies to search, include platform-wide entries?) or 404 for a study outside the cover."""
    studies = [only] if only is not None else covered_studies(user)
    if f.study:
        studies = [s for s in studies if s.slug == f.study]
        if not studies:
            raise ApplicationError("not_found", "No such study among those you may audit.", status_code=404)
    platform_wide = only is None and not f.study and is_platform_auditor(user)
    return studies, platform_wide
