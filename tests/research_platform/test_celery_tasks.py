"""Every task of the project runs on the tenant-aware Celery app, though the apps name no config.

Tasks are declared with ``celery.shared_task`` (so no app imports research_platform, the config
package); they bind to the app research_platform/celery.py makes current. A task bound to a plain
Celery app would run in the public schema whatever study queued it (TSC#132), so this is checked.
"""

from __future__ import annotations

from tenant_schemas_celery.task import TenantTask

from research_platform.celery import app

APPS = ("audit", "consent", "dashboard", "games", "pseudonymization", "rights", "tenants", "traits")


def _project_tasks() -> dict:
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    return {name: task for name, task in app.tasks.items() if name.split(".")[0] in APPS}


def test_the_project_tasks_are_registered_on_the_tenant_aware_app():
    tasks = _project_tasks()
    assert {
        "games.abandon_stale_sessions",
        "dashboard.tasks.export_job_run",
        "traits.tasks.process_session",
        "traits.tasks.process_pending",
        "traits.tasks.fit_study_models",
    } <= set(tasks)
    for name, task in tasks.items():
        assert isinstance(task, TenantTask), name
        assert task.app is app, name


def test_a_task_queued_in_a_study_carries_its_schema(in_alpha, monkeypatch):
    from celery import Celery

    from games.tasks import abandon_stale_sessions

    sent: list[dict] = []
    # Below the tenant-aware app's own send_task (which adds the schema), nothing is sent anywhere.
    monkeypatch.setattr(Celery, "send_task", lambda self, name, args=None, kwargs=None, **options: sent.append(options))
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    abandon_stale_sessions.apply_async()
    assert len(sent) == 1
    assert sent[0]["headers"]["_schema_name"] == in_alpha.schema_name
