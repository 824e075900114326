"""Writes on studies: create (by cloning the template), update, archive, delete (confirmed)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_event
from tenants.models import Domain, Study, schema_name_for, validate_slug
from tenants.provisioning import drop_schema


class StudyError(Exception):
    """A study operation that cannot proceed; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


@transaction.atomic
def study_create(
    *,
    slug: str,
    title: str,
    acting_user: AbstractBaseUser | None = None,
    description: str = "",
    by_migrations: bool = False,
) -> Study:
    """Create a study, its schema (a clone of the migrated template) and its primary domain.

    ``by_migrations`` replays every migration instead of cloning; it exists to measure the
    difference (benchmark) and as the fallback when no template has been prepared. The study's
    own settings (the game's, consent's, ...) live in its schema: set them after this, in it
    (dashboard.services.study_create_with_settings does both in one transaction).
    """
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise StudyError(exc.code or "invalid_slug", exc.messages[0], {"slug": exc.messages[0]}) from exc
    title = (title or "").strip()
    if not title:
        raise StudyError("invalid_title", "A study needs a title.", {"title": "required"})
    if Study.objects.filter(slug=slug).exists():
        raise StudyError("slug_taken", f"A study with the slug '{slug}' already exists.", {"slug": "taken"})
    study = Study(
        schema_name=schema_name_for(slug),
        slug=slug,
        title=title[:200],
        description=description,
        created_by=acting_user,
    )
    study._provision_by_migrations = by_migrations  # type: ignore[attr-defined]
    study.save()
    Domain.objects.create(domain=study.domain_name, tenant=study, is_primary=True)
    audit_event(
        action="study.create",
        obj=study,
        actor=acting_user,
        details={"study": slug, "schema": study.schema_name, "by_migrations": by_migrations},
    )
    return study


@transaction.atomic
def study_create_as_manager(*, acting_user: AbstractBaseUser, **fields: Any) -> Study:
    """A study created from the web (form or API): its creator becomes its manager at once."""
    from tenants.membership import membership_grant

    study = study_create(acting_user=acting_user, **fields)
    membership_grant(study=study, user=acting_user, role="manager", acting_user=acting_user, as_creator=True)
    return study


def study_mark_game_checked(*, study: Study, acting_user: AbstractBaseUser) -> Study:
    """A member played the preview of the game to its end (the set-up checklist's "game checked")."""
    study.game_checked_at = timezone.now()
    study.save(update_fields=["game_checked_at", "updated_at"])
    audit_event(action="study.game_checked", obj=study, actor=acting_user, details={"study": study.slug})
    return study


@transaction.atomic
def study_update(
    *,
    study: Study,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
) -> Study:
    """Change a study's title, description or status; archived studies are read-only.

    The game's settings are the study schema's (games.services.game_settings_update).
    """
    if study.status == Study.Status.ARCHIVED:
        raise StudyError("study_archived", "An archived study cannot be changed.")
    if title is not None:
        if not title.strip():
            raise StudyError("invalid_title", "A study needs a title.", {"title": "required"})
        study.title = title.strip()[:200]
    if description is not None:
        study.description = description
    if status is not None:
        allowed = {Study.Status.DRAFT, Study.Status.PILOTING, Study.Status.RECRUITING, Study.Status.CLOSED}
        if status not in allowed:
            raise StudyError(
                "invalid_status",
                "Status must be draft, piloting, recruiting or closed.",
                {"status": sorted(allowed)},
            )
        study.status = status
    study.save()
    return study


@transaction.atomic
def study_archive(*, study: Study, confirm: str) -> Study:
    """Close a study for good while keeping its data; ``confirm`` must repeat the slug."""
    if confirm != study.slug:
        raise StudyError("confirmation_required", "Type the study's slug to confirm archiving.")
    study.status = Study.Status.ARCHIVED
    study.archived_at = timezone.now()
    study.save(update_fields=["status", "archived_at", "updated_at"])
    audit_event(action="study.archive", obj=study, details={"study": study.slug})
    return study


@transaction.atomic
def study_delete(*, study: Study, confirm: str) -> None:
    """Drop a study's schema and rows for good; ``confirm`` must repeat the slug."""
    if confirm != study.slug:
        raise StudyError("confirmation_required", "Type the study's slug to confirm deletion.")
    connection.set_schema_to_public()
    schema = study.schema_name
    # The study's own chain disappears with its schema: keep its final head in the platform chain.
    from audit.verification import verify_schema

    final = verify_schema(schema)
    audit_event(
        action="study.delete",
        obj=study,
        details={
            "study": study.slug,
            "schema": schema,
            "chain_entries": final.entries,
            "chain_head_hash": final.head_hash,
            "chain_intact": final.intact,
        },
    )
    Domain.objects.filter(tenant=study).delete()
    # TenantMixin.delete would drop the schema only with auto_drop_schema; we drop it explicitly.
    Study.objects.filter(pk=study.pk).delete()
    drop_schema(schema)
