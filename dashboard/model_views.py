"""The dashboard's "Refit now" button: queues the study-level fit (analyst and up), then back to the dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views import View

from tenants.permissions import StudyPageMixin


class StudyFitPage(StudyPageMixin, View):
    required_study_perm = "export_data"

    def post(self, request: HttpRequest) -> HttpResponse:
        from traits import hierarchical
        from traits.models import StudyFit
        from traits.study_fits import study_fit_sample_size
        from traits.tasks import fit_study_models

        n = study_fit_sample_size()
        if n < hierarchical.MIN_PARTICIPANTS:
            messages.error(
                request, f"A study-level fit needs at least {hierarchical.MIN_PARTICIPANTS} participants ({n} now)."
            )
        else:
            fit_study_models.delay(trigger=StudyFit.Trigger.REQUEST)
            messages.success(request, "Study-level fit started; it shows here when it is done.")
        return redirect("dashboard-home")
