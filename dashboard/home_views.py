"""The platform's front door (platform host, dashboard/urls_platform.py): "My studies", creating a
study, a study's link and QR code, and the sign-in hand-off to a study host."""

from __future__ import annotations

import io
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from consent.panels import panel_links_for
from core.errors import ApplicationError, error_body
from core.links import study_url
from dashboard.home_selectors import home_studies
from dashboard.services import study_create_with_settings
from dashboard.study_forms import StudyCreateForm
from tenants import selectors
from tenants.credentials import login_time
from tenants.handoff import handoff_issue
from tenants.models import Study
from tenants.permissions import can_create_studies, study_perms_of
from tenants.services import StudyError


def signed_in(view: Any) -> Any:
    """login_required that also knows the researchers' API tokens (Authorization: Token rpk_...).

    A script holding a token gets the same answers as the person in a browser (the QR code, a 404 for a
    study it has no role on) instead of a redirect to a sign-in form it cannot fill in.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("Authorization"):
            from knox.auth import TokenAuthentication
            from rest_framework.exceptions import AuthenticationFailed
            from rest_framework.request import Request

            try:
                found = TokenAuthentication().authenticate(Request(request))
            except AuthenticationFailed:
                found = None
            if found is None:
                return JsonResponse(error_body("not_authenticated", "The token is not valid."), status=401)
            request.user = found[0]
        return login_required(view)(request, *args, **kwargs)

    return wrapped


def _member_study(request: HttpRequest, slug: str) -> tuple[Study, set[str]]:
    """The study named by ``slug`` if the user holds a role on it; 404 alike for unknown and foreign."""
    study = selectors.study_get(slug=slug)
    perms = study_perms_of(request.user, study) if study else set()
    if not perms:
        raise Http404
    return study, perms  # type: ignore[return-value]


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    rows = home_studies(request.user)
    cards = []
    for row in rows:
        shares = "view_aggregate" in row.perms or "change_settings" in row.perms
        links = panel_links_for(url=row.study.url, external_id_params=row.external_id_params) if shares else None
        cards.append({"row": row, "panels": links})
    audits = request.user.is_staff or any("view_audit" in r.perms for r in rows)
    context = {
        "cards": cards,
        "can_create": can_create_studies(request.user),
        "can_audit": audits,
        "is_staff": request.user.is_staff,
    }
    return render(request, "tenants/home.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def study_new(request: HttpRequest) -> HttpResponse:
    if not can_create_studies(request.user):
        raise PermissionDenied("Only platform administrators and study administrators may create studies.")
    form = StudyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = study_create_with_settings(
                acting_user=request.user,
                slug=data["slug"],
                title=data["title"],
                description=data["description"],
                game_config=data["config"],
            )
        except (StudyError, ApplicationError) as exc:  # e.g. the slug taken between the form's check and the insert
            form.add_error("slug" if "slug" in exc.details else None, exc.message)
        else:
            messages.success(request, f"Created “{study.title}”. Its set-up checklist shows what is left to do.")
            return redirect("platform-open-study", slug=study.slug, target="setup")
    return render(request, "tenants/study_new.html", {"form": form}, status=400 if form.errors else 200)


# Where "open" may take a member on the study host; anything else is refused, not guessed.
OPEN_TARGETS = {
    "dashboard": "/dashboard/",
    "setup": "/manage/setup/",
    "settings": "/manage/",
    "consent": "/manage/consent/",
    "exports": "/dashboard/exports/",
}


@require_safe
@signed_in
def open_study(request: HttpRequest, slug: str, target: str) -> HttpResponse:
    """Sign the user in on the study host (one-time ticket) and take them to ``target`` there."""
    study, _ = _member_study(request, slug)
    if target not in OPEN_TARGETS:
        raise Http404
    ticket = handoff_issue(user=request.user, study=study, next_path=OPEN_TARGETS[target], login_at=login_time(request))
    return HttpResponseRedirect(study_url(study.slug, "/accounts/handoff/?" + urlencode({"t": ticket})))


@require_safe
@signed_in
def study_qr(request: HttpRequest, slug: str) -> HttpResponse:
    """The participant link as a QR code (SVG drawn here by segno; no outside service sees the link)."""
    import segno

    study, _ = _member_study(request, slug)
    buffer = io.BytesIO()
    segno.make(study.url, error="m").save(
        buffer, kind="svg", scale=8, border=4, xmldecl=False, title=f"QR code of {study.url}", dark="#000"
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
@signed_in
def study_poster(request: HttpRequest, slug: str) -> HttpResponse:
    """A printable page: the study's title, its link and the QR code."""
    study, _ = _member_study(request, slug)
    return render(request, "tenants/poster.html", {"study": study})


urlpatterns: list[Any] = [
    path("", home, name="platform-home"),
    path("studies/new/", study_new, name="platform-study-new"),
    path("studies/<str:slug>/open/<str:target>/", open_study, name="platform-open-study"),
    path("studies/<str:slug>/qr.svg", study_qr, name="platform-study-qr"),
    path("studies/<str:slug>/poster/", study_poster, name="platform-study-poster"),
]
