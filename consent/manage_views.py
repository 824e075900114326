"""Consent administration page for managers: versions (draft, publish) and the study's consent settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from consent.forms import ConsentSettingsForm, DraftForm
from consent.models import ConsentDocument
from consent.selectors import consent_settings_get
from consent.services import consent_document_draft, consent_document_publish, consent_settings_update
from research_platform.errors import ApplicationError
from tenants.permissions import StudyPageMixin


class ManageConsentPage(StudyPageMixin, View):
    required_study_perm = "manage_consent"

    def _render(
        self, request: HttpRequest, draft_form: Any = None, settings_form: Any = None, status: int = 200
    ) -> HttpResponse:
        current = consent_settings_get()
        documents = ConsentDocument.objects.annotate(agreements=Count("records")).order_by("-created_at", "-id")
        context = {
            "study": self.study,
            "perms": self.study_perms,
            "documents": documents,
            "draft_form": draft_form or DraftForm(),
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
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            if "publish" in request.POST:
                document = ConsentDocument.objects.filter(version=request.POST.get("publish", "")).first()
                if document is None:
                    messages.error(request, "No such version.")
                else:
                    consent_document_publish(document=document)
                    messages.success(request, f"Version {document.version} is now the current consent document.")
            elif "save_settings" in request.POST:
                form = ConsentSettingsForm(request.POST)
                if not form.is_valid():
                    return self._render(request, settings_form=form, status=400)
                consent_settings_update(**form.cleaned_data)
                messages.success(request, "Consent settings saved.")
            else:
                form = DraftForm(request.POST)
                if not form.is_valid():
                    return self._render(request, draft_form=form, status=400)
                consent_document_draft(created_by_id=request.user.pk, **form.cleaned_data)
                messages.success(request, f"Draft {form.cleaned_data['version']} saved.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
            if exc.details:
                return self._render(request, status=400)
        return redirect("study-manage-consent")
