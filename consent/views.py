"""Pages of the consent app: the study landing page (to become the consent flow)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def study_home(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/landing.html", {"study": request.tenant})
