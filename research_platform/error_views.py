"""Error pages on every host: the API's one error shape for /api/ and JSON clients, styled pages elsewhere.

400 and 500 render without the request's context (no session, no user, no database): they must
work when the request or the database is what failed. 403 and 404 are rendered with it, so a
signed-in person keeps the account bar and a 403 can say what their role on this study allows.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from core.errors import error_body
from core.links import links
from core.responses import plain_error_page, too_large_response, wants_json

logger = logging.getLogger(__name__)

# Study-host pages a 403 may point to, each shown only when the visitor's permissions open it (the
# permission is read from the page's own view, so this list cannot drift from the real rules).
STUDY_PAGES = (
    ("dashboard-home", "Dashboard"),
    ("dashboard-exports", "Exports"),
    ("study-manage", "Study settings"),
    ("study-manage-consent", "Consent documents"),
    ("study-manage-deletion", "Deletion requests"),
    ("study-manage-members", "Members"),
)
ROLE_LABELS = {
    "viewer": "Viewer",
    "analyst": "Analyst",
    "manager": "Manager",
    "compliance": "Compliance officer",
    "custom": "a custom set of permissions",
}


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    # The same words on every host and path: a 404 must not tell whether a study (or a page that
    # a role would open) exists here.
    return render(request, "errors/404.html", {}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(error_body("permission_denied", "You may not do this."), status=403)
    return render(request, "errors/403.html", forbidden_context(request), status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid token (a page left open, cookies blocked)."""
    if wants_json(request):
        body = error_body("csrf_failed", "The CSRF check failed; reload the page and send the form again.")
        return JsonResponse(body, status=403)
    # Only this host's own path goes back into the page (never the Referer), with its leading slashes
    # folded: "//evil.example/" would otherwise be a link to another site. Django's reasons are fixed
    # phrases ("CSRF token missing."), never request data.
    retry_path = "/" + request.path.lstrip("/\\")
    return render(request, "errors/csrf.html", {"retry_path": retry_path, "reason": reason}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):  # a body without Content-Length ran over the limit
        return too_large_response(request)
    if wants_json(request):
        return JsonResponse(error_body("malformed_request", "The request could not be read."), status=400)
    # A 400 is often a request Django will not trust (a bad Host header): no session, no user.
    return plain_error_page("errors/400.html", 400)


def server_failure(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)
    try:
        return HttpResponseServerError(get_template("errors/500.html").render(dict(links(None))))
    except Exception:  # the page itself failed (a broken template, a missing static manifest)
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(
            "<!doctype html><title>Server error</title><h1>Something went wrong on our side.</h1>",
            content_type="text/html; charset=utf-8",
        )


# --- What a 403 can say ------------------------------------------------------------------------


def forbidden_context(request: HttpRequest) -> dict[str, Any]:
    """Who is refused, what their role on this study allows, and where they can go instead."""
    from core.study import current_study
    from tenants.permissions import study_perms_of
    from tenants.roles import STUDY_PERMISSIONS, role_for_permissions

    user = getattr(request, "user", None)
    context: dict[str, Any] = {"login_path": _login_path(request)}
    if user is None or not user.is_authenticated:
        return context
    study = current_study(request)
    perms = study_perms_of(user, study) if study is not None else set()
    if study is None or not perms:
        # Not a member: say nothing about the study (a non-member gets 404s for its pages anyway).
        return context
    needed = _needed_permission(request)
    context.update(
        study=study,
        role=ROLE_LABELS.get(role_for_permissions(perms), "a custom set of permissions"),
        allowed=[text for code, text in STUDY_PERMISSIONS.items() if code in perms],
        needed=STUDY_PERMISSIONS.get(needed) if needed else None,
        study_pages=_pages_for(perms, current_path=request.path),
        audits="view_audit" in perms,
    )
    return context


def _login_path(request: HttpRequest) -> str | None:
    try:
        return reverse("login")
    except NoReverseMatch:
        return None


def _needed_permission(request: HttpRequest) -> str | None:
    """The study permission the refused page declares (StudyPageMixin.required_study_perm)."""
    match = getattr(request, "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    needed = getattr(view_class, "required_study_perm", None)
    return needed if isinstance(needed, str) and needed else None


def _pages_for(perms: set[str], *, current_path: str) -> list[tuple[str, str]]:
    pages = []
    for name, label in STUDY_PAGES:
        try:
            path = reverse(name)
            view_class = getattr(resolve(path).func, "view_class", None)
        except (NoReverseMatch, Resolver404):
            continue
        if path != current_path and getattr(view_class, "required_study_perm", None) in perms:
            pages.append((label, path))
    return pages
