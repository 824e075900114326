"""Reads on studies."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Study


def study_list() -> QuerySet[Study]:
    return Study.objects.all().order_by("slug")


def study_get(*, slug: str) -> Study | None:
    return Study.objects.filter(slug=slug).first()
