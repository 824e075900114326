"""Consent administration page for managers: versions (draft, publish) and the study's consent settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from consent.forms import ConsentSettingsForm, DraftForm
from consent.models import ConsentDocument
from consent.selectors import consent_document_get, consent_documents_with_agreements, consent_settings_get
from consent.services import (
    consent_document_delete_draft,
    consent_document_draft,
    consent_document_edit_draft,
    consent_document_publish,
    consent_settings_update,
)
from core.errors import ApplicationError
from tenants.permissions import StudyPageMixin


class ManageConsentPage(StudyPageMixin, View):
    required_study_perm = "manage_consent"

    def _render(
        self,
        request: HttpRequest,
        draft_form: Any = None,
        settings_form: Any = None,
        status: int = 200,
        editing: ConsentDocument | None = None,
    ) -> HttpResponse:
        current = consent_settings_get()
        documents = consent_documents_with_agreements()
        context = {
            "study": self.study,
            "perms": self.study_perms,
            "documents": documents,
            "draft_form": draft_form or DraftForm(),
            "editing": editing,
            "current": next((d for d in documents if d.status == ConsentDocument.Status.PUBLISHED), None),
            "settings_form": settings_form
            or ConsentSettingsForm(
                initial={
                    "external_id_params": ", ".join(current.external_id_params),
                    "require_reconsent": current.require_reconsent,
                    "token_lifetime_hours": current.token_lifetime_hours,
                    "completion_url": current.completion_url,
                }
            ),
        }
        return render(request, "consent/manage_consent.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        editing = self._draft(request.GET.get("edit"))
        if editing is None:
            return self._render(request)
        initial = {f: getattr(editing, f) for f in ("version", "title", "language", "body")}
        return self._render(request, draft_form=DraftForm(initial=initial), editing=editing)

    @staticmethod
    def _draft(version: str | None) -> ConsentDocument | None:
        if not version:
            return None
        return consent_document_get(version=version, status=ConsentDocument.Status.DRAFT)

    def _save_draft(self, request: HttpRequest) -> HttpResponse:
        """A new draft, or changes to one (``editing``); on any error the typed text is shown again."""
        editing = self._draft(request.POST.get("editing"))
        if request.POST.get("editing") and editing is None:
            messages.error(request, "That draft was published or deleted meanwhile; your text is below as a new draft.")
        form = DraftForm(request.POST)
        if not form.is_valid():
            return self._render(request, draft_form=form, status=400, editing=editing)
        try:
            if editing is not None:
                consent_document_edit_draft(document=editing, **form.cleaned_data)
                messages.success(request, f"Draft {form.cleaned_data['version']} updated.")
            else:
                consent_document_draft(acting_user=request.user, **form.cleaned_data)
                messages.success(request, f"Draft {form.cleaned_data['version']} saved.")
        except ApplicationError as exc:
            form.add_error("version" if exc.code == "version_taken" else None, exc.message)
            return self._render(request, draft_form=form, status=400, editing=editing)
        return redirect("study-manage-consent")

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            if "publish" in request.POST:
                document = consent_document_get(version=request.POST.get("publish", ""))
                if document is None:
                    messages.error(request, "No such version.")
                else:
                    consent_document_publish(document=document)
                    messages.success(request, f"Version {document.version} is now the current consent document.")
            elif "delete" in request.POST:
                document = self._draft(request.POST.get("delete"))
                if document is None:
                    messages.error(request, "Only a draft can be deleted.")
                else:
                    consent_document_delete_draft(document=document)
                    messages.success(request, f"Draft {document.version} deleted.")
            elif "save_settings" in request.POST:
                form = ConsentSettingsForm(request.POST)
                if not form.is_valid():
                    return self._render(request, settings_form=form, status=400)
                try:
                    consent_settings_update(acting_user=request.user, **form.cleaned_data)
                except ApplicationError as exc:  # the service's own checks: shown beside the typed values
                    for name, problems in (exc.details or {}).items():
                        for problem in problems if isinstance(problems, list) else [problems]:
                            form.add_error(name if name in form.fields else None, str(problem))
                    if not exc.details:
                        form.add_error(None, exc.message)
                    return self._render(request, settings_form=form, status=400)
                messages.success(request, "Consent settings saved.")
            else:
                return self._save_draft(request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("study-manage-consent")
