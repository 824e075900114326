"""Placeholder landing page of a study host until the consent flow takes over ``/``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def study_home(request: HttpRequest) -> HttpResponse:
    return render(request, "study_home.html", {"study": request.tenant})
