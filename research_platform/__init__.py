"""The research platform's project package (named so to avoid shadowing the stdlib ``platform``)."""

from research_platform.celery import app as celery_app

__all__ = ["celery_app"]
