"""Admin for studies, domains and roles, under the same rules as the API.

Platform admins (superusers) see everything; other staff see only the studies they hold a role
on, and change them only with the matching study permission. Roles are granted and revoked
through the membership services so guardian permissions and the audit trail stay in step.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html

from core.links import platform_url
from tenants.membership import membership_grant, membership_revoke
from tenants.models import Domain, Study, StudyMembership
from tenants.permissions import can_create_studies, user_has_study_perm
from tenants.services import study_update

# "View site" leads to the platform home (My studies), read when a page renders so that the
# configured scheme and port (and tests' overrides) apply.
admin.site.site_url = lazy(platform_url, str)("/")
admin.site.site_header = "Research platform administration"
admin.site.site_title = "Research platform admin"


def _visible_studies(request: HttpRequest) -> QuerySet[Study]:
    if request.user.is_superuser:
        return Study.objects.all()
    return Study.objects.filter(memberships__user=request.user).distinct()


# The statuses a person switches between; archiving drops access and goes through `archive_study`.
_SWITCHABLE = [c for c in Study.Status.choices if c[0] != Study.Status.ARCHIVED]


class StudyAdminForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = ("title", "description", "status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _SWITCHABLE


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    form = StudyAdminForm
    # The two links before the date: on a phone the table scrolls sideways and they come first.
    list_display = ("slug", "title", "status", "open_link", "participant_link", "created_at")
    list_filter = ("status",)
    search_fields = ("slug", "title")
    readonly_fields = (
        "schema_name",
        "slug",
        "created_by",
        "created_at",
        "updated_at",
        "archived_at",
    )
    # games/admin.py adds the game's settings (read-only) after the status: they live in the study's
    # schema and games sits above tenants.
    fields = (
        "slug",
        "schema_name",
        "title",
        "description",
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "archived_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Study]:
        return _visible_studies(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_create_studies(request.user)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        # A study is a schema cloned from the template plus a manager role: only the platform's
        # creation form (tenants.services) does all of it, so the admin's "Add" leads there.
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("platform-study-new")

    @admin.display(description="Open study")
    def open_link(self, obj: Study) -> str:
        url = reverse("platform-open-study", kwargs={"slug": obj.slug, "target": "dashboard"})
        return format_html('<a href="{}">Dashboard<span class="visually-hidden"> of {}</span></a>', url, obj.slug)

    @admin.display(description="Participant link")
    def participant_link(self, obj: Study) -> str:
        return format_html('<a href="{0}" rel="noopener">{0}</a>', obj.url)

    def save_model(self, request: HttpRequest, obj: Study, form: Any, change: bool) -> None:
        # Through the same service as the settings page and the API (its rules, one audited save).
        if not user_has_study_perm(request.user, obj, "change_settings"):
            raise PermissionDenied
        data = form.cleaned_data
        study_update(study=obj, title=data["title"], description=data["description"], status=data["status"])

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deletion drops a schema: only the confirmed `delete_study` command does it.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return request.user.is_superuser or request.user.is_staff
        # An archived study is read-only everywhere (tenants.services.study_update refuses it).
        return obj.status != Study.Status.ARCHIVED and user_has_study_perm(request.user, obj, "change_settings")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return request.user.is_staff
        return user_has_study_perm(request.user, obj, "view_study")


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "tenant", "is_primary")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Domain]:
        return Domain.objects.filter(tenant__in=_visible_studies(request)).select_related("tenant")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(StudyMembership)
class StudyMembershipAdmin(admin.ModelAdmin):
    list_display = ("study", "user", "role", "granted_by", "granted_at")
    list_filter = ("role", "study")
    readonly_fields = ("granted_by", "granted_at")
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StudyMembership]:
        qs = StudyMembership.objects.select_related("study", "user", "granted_by")
        if request.user.is_superuser:
            return qs
        managed = [s.pk for s in _visible_studies(request) if user_has_study_perm(request.user, s, "manage_members")]
        return qs.filter(study_id__in=managed)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_staff and (obj is None or user_has_study_perm(request.user, obj.study, "manage_members"))

    has_change_permission = has_view_permission
    has_add_permission = lambda self, request: request.user.is_staff  # noqa: E731

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "study":
            kwargs["queryset"] = _visible_studies(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: StudyMembership, form: Any, change: bool) -> None:
        if not user_has_study_perm(request.user, obj.study, "manage_members"):
            raise PermissionDenied
        membership = membership_grant(study=obj.study, user=obj.user, role=obj.role, acting_user=request.user)
        obj.pk = membership.pk

    def delete_model(self, request: HttpRequest, obj: StudyMembership) -> None:
        membership_revoke(study=obj.study, user=obj.user, acting_user=request.user)
