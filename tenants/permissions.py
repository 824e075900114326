"""The one scoping layer: every researcher endpoint and page on a study decides access here.

A view declares what it needs (``required_study_perm``); it cannot replace the permission
classes, so forgetting the study check is impossible by construction (see StudyAPIView).
Outcomes: anonymous -> 401, no role on this study -> 404 (never reveal that it exists),
a role without the permission -> 403.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import AccessMixin
from django.http import Http404, HttpRequest, HttpResponse
from guardian.core import ObjectPermissionChecker
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core.study import current_study
from tenants.models import Study
from tenants.roles import STUDY_PERMISSIONS


def study_perms_of(user: Any, study: Study) -> set[str]:
    """The study permissions ``user`` holds on ``study`` (all of them for platform admins)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    if user.is_superuser:
        return set(STUDY_PERMISSIONS)
    checker = ObjectPermissionChecker(user)
    return {code for code in checker.get_perms(study) if code in STUDY_PERMISSIONS}


def can_create_studies(user: Any) -> bool:
    """Platform admins and study administrators (global permission tenants.add_study)."""
    return bool(getattr(user, "is_active", False) and (user.is_superuser or user.has_perm("tenants.add_study")))


def user_has_study_perm(user: Any, study: Study, codename: str) -> bool:
    return codename in study_perms_of(user, study)


def check_study_access(user: Any, study: Study | None, codename: str) -> None:
    """Raise the right refusal, or return when ``user`` may use ``codename`` on ``study``."""
    if study is None:
        raise Http404
    if not getattr(user, "is_authenticated", False):
        raise exceptions.NotAuthenticated()
    perms = study_perms_of(user, study)
    if not perms:
        raise Http404
    if codename not in perms:
        raise exceptions.PermissionDenied(f"Your role on this study does not include '{codename}'.")


class HasStudyPermission(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        codename = view.permission_for_method(request.method or "GET")  # type: ignore[attr-defined]
        study = view.get_scoped_study()  # type: ignore[attr-defined]
        view._scoped_study = study  # type: ignore[attr-defined]
        check_study_access(request.user, study, codename)
        return True


class StudyAPIView(APIView):
    """Base of every researcher endpoint on a study host (or about one study on the platform host).

    Subclasses set ``required_study_perm`` (one codename, or a mapping from HTTP method to
    codename); ``get_scoped_study`` is the request's study host.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasStudyPermission]
    required_study_perm: ClassVar[str | dict[str, str]] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "permission_classes" in cls.__dict__ or "authentication_classes" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not replace the study scoping of StudyAPIView.")
        declared = cls.required_study_perm
        codes = set(declared.values()) if isinstance(declared, dict) else ({declared} if declared else set())
        if codes - set(STUDY_PERMISSIONS):
            raise TypeError(f"{cls.__name__}.required_study_perm names unknown permissions: {codes}.")

    def permission_for_method(self, method: str) -> str:
        declared = self.required_study_perm
        method = {"HEAD": "GET", "OPTIONS": "GET"}.get(method.upper(), method.upper())
        codename = declared.get(method, declared.get("*", "")) if isinstance(declared, dict) else declared
        if not codename:
            # A method without a declared permission is unreachable, never let through.
            raise exceptions.MethodNotAllowed(method)
        return codename

    def get_scoped_study(self) -> Study | None:
        return current_study(self.request)

    @property
    def study(self) -> Study:
        if not hasattr(self, "_scoped_study"):
            self._scoped_study = self.get_scoped_study()
        assert self._scoped_study is not None  # the permission check has run
        return self._scoped_study


class StudyPageMixin(AccessMixin):
    """The same rules for class-based pages: login first, then 404/403 as for the API."""

    required_study_perm: ClassVar[str] = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        study = current_study(request)
        perms = study_perms_of(request.user, study) if study else set()
        if not perms:
            raise Http404
        if self.required_study_perm not in perms:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        self.study = study
        self.study_perms = perms
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
