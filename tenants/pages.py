"""Sign-in, sign-out and the sign-in hand-off, served on the platform host and on every study host.

After signing in, a researcher goes where they work, never to the participant pages: on the platform
host to "My studies"; on a study host to the first page of that study their role opens, or to the
platform's "My studies" when they hold no role there.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from core.errors import ApplicationError
from core.links import platform_url
from core.study import current_study
from tenants.credentials import carry_login_time
from tenants.handoff import handoff_redeem
from tenants.permissions import study_perms_of

# A study host's researcher pages in the order a role reaches them first.
_FIRST_PAGES = (
    ("view_aggregate", "/dashboard/"),
    ("change_settings", "/manage/setup/"),
    ("manage_consent", "/manage/consent/"),
    ("manage_deletion", "/manage/deletion-requests/"),
    ("manage_members", "/manage/members/"),
)


def landing_for(request: HttpRequest) -> str:
    """Where a signed-in researcher starts on this host."""
    study = current_study(request)
    if study is None:
        return "/"
    perms = study_perms_of(request.user, study)
    for codename, page in _FIRST_PAGES:
        if codename in perms:
            return page
    return platform_url("/")  # a compliance officer or a stranger: the front door lists what they may open


class SignInView(auth_views.LoginView):
    template_name = "tenants/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_for(self.request)

    def get_success_url_allowed_hosts(self) -> set[str]:
        from urllib.parse import urlsplit

        # The platform's own host is a safe place to land from a study host (landing_for).
        return {*super().get_success_url_allowed_hosts(), urlsplit(platform_url("/")).netloc}


@require_safe
def handoff(request: HttpRequest) -> HttpResponse:
    """Redeem a ticket from the platform host's "Open" links (tenants/handoff.py) and sign in here."""
    study = current_study(request)
    try:
        if study is None:
            raise ApplicationError("handoff_invalid", "Sign-in links work on a study's own address.", status_code=403)
        granted = handoff_redeem(ticket=request.GET.get("t", ""), study=study)
        if not study_perms_of(granted.user, study):
            raise ApplicationError("handoff_invalid", "You hold no role on this study.", status_code=403)
    except ApplicationError as exc:
        return render(request, "tenants/handoff_failed.html", {"message": exc.message}, status=403)
    if request.user.pk != granted.user.pk:  # already signed in here as this user: keep that session as it is
        login(request, granted.user, backend="django.contrib.auth.backends.ModelBackend")
        carry_login_time(request, granted.login_at)
    return HttpResponseRedirect(granted.next_path)


urlpatterns = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("accounts/handoff/", handoff, name="login-handoff"),
]
