"""Studies are the tenants: each owns a PostgreSQL schema reached at <slug>.PLATFORM_DOMAIN."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from tenants.roles import STUDY_PERMISSIONS

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
# Names that would clash with the platform's own hosts or schemas.
RESERVED_SLUGS = frozenset({"www", "api", "admin", "public", "static", "media", "mail", "template", "platform"})


def schema_name_for(slug: str) -> str:
    """PostgreSQL schema of a study: hyphens are not valid unquoted identifiers."""
    return "study_" + slug.replace("-", "_")


def validate_slug(slug: str) -> None:
    if not SLUG_RE.match(slug or ""):
        raise ValidationError(
            "A study slug is 3 to 40 characters: lowercase letters, digits and hyphens, starting with a letter.",
            code="invalid_slug",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"'{slug}' is reserved by the platform.", code="reserved_slug")


class Study(TenantMixin):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Like Pavlovia's piloting: the link works, for the team to try the whole study before
        # recruiting. Who joins now is marked Participant.pilot (left out of exports and charts).
        PILOTING = "piloting", "Piloting"
        RECRUITING = "recruiting", "Recruiting"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"

    slug = models.SlugField(max_length=40, unique=True, validators=[validate_slug])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The game's settings live in the study's own schema (games.GameSettings) since #19.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set-up checklist: when a member last played the stored-nothing preview of the game to its end.
    game_checked_at = models.DateTimeField(null=True, blank=True)

    # Schemas are created by cloning the migrated template (see services.study_create) and are
    # only dropped through the explicit, confirmed study_delete service.
    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "studies"
        # view_study is one of Django's defaults; the rest are the study roles' building blocks.
        default_permissions = ("add", "change", "delete", "view")
        permissions = [(code, text) for code, text in STUDY_PERMISSIONS.items() if code != "view_study"]

    def __str__(self) -> str:
        return f"{self.title} ({self.slug})"

    def create_schema(self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1) -> bool:
        """Clone the migrated template; replay migrations only when no template is ready.

        The clone copies the template's django_migrations rows, so the fake-migrate pass that
        django-tenants runs after a clone is redundant and is skipped (it costs ~0.5 s).
        """
        from django.db import connection
        from django_tenants.clone import CloneSchema

        from tenants.provisioning import template_is_ready
        from tenants.template_ddl import create_schema_from_template

        if sync_schema and not getattr(self, "_provision_by_migrations", False) and template_is_ready():
            connection.set_schema_to_public()
            # Replaying the template's DDL costs the same at any number of studies; clone_schema
            # slows down as studies accumulate (tenants/template_ddl.py). Cloning stays the fallback.
            if not create_schema_from_template(self.schema_name):
                CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, self.schema_name, "DATA")
            connection.set_schema_to_public()
            return True
        if getattr(self, "_provision_by_migrations", False):
            from django.test.utils import override_settings

            with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False, TENANT_BASE_SCHEMA=None):
                return super().create_schema(check_if_exists, sync_schema, verbosity)
        return super().create_schema(check_if_exists, sync_schema, verbosity)

    @property
    def domain_name(self) -> str:
        return f"{self.slug}.{settings.PLATFORM_DOMAIN}"

    @property
    def url(self) -> str:
        from core.links import study_url

        return study_url(self.slug, "/")

    @property
    def accepts_participants(self) -> bool:
        return self.status in (self.Status.PILOTING, self.Status.RECRUITING)

    @property
    def is_piloting(self) -> bool:
        return self.status == self.Status.PILOTING


class Domain(DomainMixin):
    """Host names that route to a study (the primary one is <slug>.PLATFORM_DOMAIN)."""

    class Meta:
        ordering = ["domain"]


class StudyMembership(models.Model):
    """Who holds which role on a study. The guardian rows below are what is enforced."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_memberships")
    role = models.CharField(max_length=32)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["study", "user"], name="one_membership_per_user_and_study")]
        ordering = ["study__slug", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.study.slug}"


class StudyUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign key: no (content_type, object_pk) collisions across studies."""

    content_object = models.ForeignKey(Study, on_delete=models.CASCADE)


class StudyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Study, on_delete=models.CASCADE)


class LoginHandoff(models.Model):
    """A used sign-in hand-off ticket (tenants.handoff): each ticket signs one host in, once.

    Browsers keep a cookie of ``localhost`` to ``localhost`` alone, so a sign-in on the platform host
    does not reach ``<slug>.localhost``; the platform hands the signed-in user over with a short-lived
    signed ticket instead. Rows older than the ticket lifetime are useless and are pruned on use.
    """

    nonce = models.CharField(max_length=32, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"hand-off {self.nonce[:8]}… used {self.used_at:%Y-%m-%d %H:%M:%S}"
