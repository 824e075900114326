"""The managers' page of deletion requests (overdue ones highlighted), with verify / execute / reject."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core.errors import ApplicationError
from rights import services
from rights.forms import RejectForm
from rights.selectors import deletion_request_get, deletion_requests_list, rights_settings_get
from tenants.credentials import require_recent_login
from tenants.permissions import StudyPageMixin


class DeletionRequestsPage(StudyPageMixin, View):
    required_study_perm = "manage_deletion"

    def _render(self, request: HttpRequest, status: int = 200) -> HttpResponse:
        rows = list(deletion_requests_list())
        context = {
            "study": self.study,
            "perms": self.study_perms,
            "requests": rows,
            "overdue_count": sum(1 for r in rows if r.is_overdue),
            "settings": rights_settings_get(),
            "reject_form": RejectForm(),
        }
        return render(request, "rights/manage_requests.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            request_id = uuid.UUID(request.POST.get("request_id", ""))
        except ValueError as exc:
            raise Http404 from exc
        row = deletion_request_get(request_id=request_id)
        if row is None:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "verify":
                services.deletion_request_verify(request=row, acting_user=request.user)
                messages.success(request, "Verified.")
            elif action == "execute":
                require_recent_login(request)  # as the API: a login within 15 minutes (#18 finding 4)
                services.deletion_request_schedule_execution(request=row, acting_user=request.user)
                messages.success(request, "Execution queued.")
            elif action == "reject":
                form = RejectForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "Give a reason (5+ characters) to reject.")
                    return self._render(request, status=400)
                services.deletion_request_reject(
                    request=row, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "Rejected.")
            else:
                messages.error(request, "Unknown action.")
                return self._render(request, status=400)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return self._render(request, status=exc.status_code)
        return redirect("study-manage-deletion")
