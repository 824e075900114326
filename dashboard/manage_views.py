"""Study administration pages (managers): settings, game configuration, members and roles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from consent.selectors import consent_settings_get
from core.errors import ApplicationError
from dashboard.forms import GrantRoleForm, RevokeRoleForm, StudySettingsForm
from games.forms import GameConfigForm
from games.selectors import game_config_current
from games.services import game_settings_update
from rights.forms import RetentionForm
from rights.models import RetentionPolicy
from rights.selectors import retention_policy_get
from rights.services import retention_policy_update
from tenants.membership import membership_grant, membership_revoke
from tenants.permissions import StudyPageMixin
from tenants.selectors import membership_list, user_get
from tenants.services import StudyError, study_update


def _game_initial() -> dict[str, Any]:
    """The game form filled with the study's configuration (the standard task's values where unset)."""
    return GameConfigForm.initial_from(game_config_current())


class StudySettingsPage(StudyPageMixin, View):
    required_study_perm = "change_settings"

    def _render(
        self, request: HttpRequest, settings_form: Any, game_form: Any, retention_form: Any = None, status: int = 200
    ) -> HttpResponse:
        policy = retention_policy_get()
        context = {
            "study": self.study,
            "perms": self.study_perms,
            "settings_form": settings_form,
            "game_form": game_form,
            "retention_form": retention_form
            or RetentionForm(initial={name: getattr(policy, name) for name in RetentionPolicy.EDITABLE}),
            # The completion redirect is one of the consent settings (edited on the consent page).
            "completion_url": consent_settings_get().completion_url,
        }
        return render(request, "dashboard/manage_settings.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        settings_form = StudySettingsForm(
            initial={"title": self.study.title, "description": self.study.description, "status": self.study.status}
        )
        game_form = GameConfigForm(initial=_game_initial())
        return self._render(request, settings_form, game_form)

    def post(self, request: HttpRequest) -> HttpResponse:
        if "save_retention" in request.POST:
            return self._save_retention(request)
        settings_form = StudySettingsForm(
            request.POST if "save_settings" in request.POST else None,
            initial={"title": self.study.title, "status": self.study.status, "description": self.study.description},
        )
        game_form = GameConfigForm(
            request.POST if "save_game" in request.POST else None,
            initial=_game_initial(),
        )
        form = settings_form if "save_settings" in request.POST else game_form
        if not form.is_valid():
            return self._render(request, settings_form, game_form, status=400)
        try:
            if form is settings_form:
                study_update(study=self.study, **form.cleaned_data)
            else:
                game_settings_update(acting_user=request.user, config=form.cleaned_data["config"])
        except (StudyError, ApplicationError) as exc:
            form.add_error(None, exc.message)
            return self._render(request, settings_form, game_form, status=400)
        messages.success(request, "Saved.")
        return redirect("study-manage")

    def _save_retention(self, request: HttpRequest) -> HttpResponse:
        form = RetentionForm(request.POST)
        if not form.is_valid():
            settings_form = StudySettingsForm(
                initial={"title": self.study.title, "status": self.study.status, "description": self.study.description}
            )
            game_form = GameConfigForm(initial=_game_initial())
            return self._render(request, settings_form, game_form, retention_form=form, status=400)
        retention_policy_update(acting_user=request.user, **form.cleaned_data)
        messages.success(request, "Retention policy saved.")
        return redirect("study-manage")


class MembersPage(StudyPageMixin, View):
    required_study_perm = "manage_members"

    def _render(self, request: HttpRequest, grant_form: Any, status: int = 200) -> HttpResponse:
        members = membership_list(study=self.study)
        return render(
            request,
            "dashboard/manage_members.html",
            {"study": self.study, "perms": self.study_perms, "members": members, "grant_form": grant_form},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, GrantRoleForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        revoking = "revoke" in request.POST
        form = RevokeRoleForm(request.POST) if revoking else GrantRoleForm(request.POST)
        if not form.is_valid():
            return self._render(request, GrantRoleForm() if revoking else form, status=400)
        user = user_get(username=form.cleaned_data["username"], active_only=not revoking)
        if user is None:  # one answer for unknown and unusable names: the page must not list accounts
            if revoking:
                messages.error(request, "That user holds no role on this study.")
                return redirect("study-manage-members")
            form.add_error("username", "No active account of that name can be given a role.")
            return self._render(request, form, status=400)
        try:
            if revoking:
                membership_revoke(study=self.study, user=user, acting_user=request.user)
                messages.success(request, f"Revoked {user.username}'s role.")
            else:
                membership_grant(study=self.study, user=user, role=form.cleaned_data["role"], acting_user=request.user)
                messages.success(request, f"{user.username} is now {form.cleaned_data['role']}.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("study-manage-members")
