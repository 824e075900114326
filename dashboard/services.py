"""Writes of the dashboard app: export jobs (audited in their transaction) and creating a study with its settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tenants.utils import tenant_context

from audit.services import audit_event
from core.errors import ApplicationError
from dashboard.export_formats import ExportScope, default_scope
from dashboard.models import ExportJob
from games.services import game_config_clean, game_settings_update
from tenants.models import Study
from tenants.services import study_create, study_create_as_manager


@transaction.atomic
def study_create_with_settings(
    *, acting_user: Any, game_config: dict[str, Any] | None = None, as_manager: bool = True, **fields: Any
) -> Study:
    """Create a study (tenants.services) and, in its new schema, its game settings: one step, all or nothing.

    The study lives in public and its settings in its own schema, and tenants sits below games, so the
    flow that spans both is here (the creation page, the API and ``manage.py create_study`` use it).
    The configuration is checked first: an invalid one creates nothing. ``as_manager``: the creator
    becomes the study's manager (the web); without it (the command) ``acting_user`` may be None.
    """
    config = game_config_clean(game_config)
    if as_manager:
        study = study_create_as_manager(acting_user=acting_user, **fields)
    else:
        study = study_create(acting_user=acting_user, **fields)
    with tenant_context(study):
        game_settings_update(acting_user=acting_user, config=config)
    return study


@transaction.atomic
def export_job_create(*, acting_user: Any, export_format: str, scope: ExportScope | None = None) -> ExportJob:
    """Record the job with its scope (the format's default unless given) and queue its task once the
    row is committed (the worker must see it)."""
    from dashboard.exports import FORMATS
    from dashboard.tasks import export_job_run

    if export_format not in FORMATS:
        raise ApplicationError(
            "invalid", "Unknown export format.", details={"format": [f"One of {', '.join(FORMATS)}."]}, status_code=400
        )
    scope = scope or default_scope(export_format)
    job = ExportJob.objects.create(
        format=export_format,
        finished_only=scope.finished_only,
        include_pilots=scope.include_pilots,
        include_free_text=scope.include_free_text,
        created_by_id=getattr(acting_user, "pk", None),
    )
    audit_event(
        action="export_job.create", obj=job, actor=acting_user, details={"format": export_format, **scope.as_versions()}
    )
    transaction.on_commit(lambda: export_job_run.delay(str(job.pk)))
    return job
