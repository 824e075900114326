"""Prepare the bench database through the platform's own services (runs after django.setup())."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_tenants.utils import tenant_context

from tenants.models import Study
from tenants.services import study_create

BENCH_SLUG = "bench"
CONSENT_BODY = "Benchmark consent document: simulated participants only; nothing here is real data."


@dataclass
class Bench:
    study: Study
    host: str
    admin_token: str
    viewer_token: str
    consent_version: str
    consent_sha256: str


def migrate() -> float:
    started = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    return time.perf_counter() - started


def _user_token(username: str, **flags: bool) -> tuple[object, str]:
    user = get_user_model().objects.create_user(username, password=None, **flags)
    from tenants.credentials import api_token_issue

    return user, api_token_issue(user=user)


def prepare() -> Bench:
    """The bench study (recruiting, consent published), an admin token and a viewer token."""
    from consent.services import consent_document_draft, consent_document_publish
    from tenants.membership import membership_grant

    admin, admin_token = _user_token("bench-admin", is_staff=True, is_superuser=True)
    viewer, viewer_token = _user_token("bench-viewer")
    study = study_create(slug=BENCH_SLUG, title="Benchmark study", acting_user=admin)
    study.status = Study.Status.RECRUITING
    study.save(update_fields=["status"])
    membership_grant(study=study, user=viewer, role="viewer")
    with tenant_context(study):
        document = consent_document_draft(version="1.0", title="Benchmark consent", body=CONSENT_BODY)
        document = consent_document_publish(document=document)
    return Bench(
        study=study,
        host=study.domain_name,
        admin_token=admin_token,
        viewer_token=viewer_token,
        consent_version=document.version,
        consent_sha256=document.sha256,
    )


def participants(bench: Bench, count: int) -> list[str]:
    """``count`` consenting participants; returns their bearer tokens (created in-process: setup, not measured)."""
    from consent.services import consent_give

    tokens = []
    with tenant_context(bench.study):
        for _ in range(count):
            given = consent_give(version=bench.consent_version, sha256=bench.consent_sha256, method="api")
            tokens.append(given.token)
    return tokens
