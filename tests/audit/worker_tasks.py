"""A task for the real-worker audit test, loaded by the worker with `-I tests.audit.worker_tasks`.

It changes an audited row (auditlog's signal path) and records a service event (audit_event), so
both ways of writing an entry are checked for the actor the worker attributes to them.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from research_platform.celery import app

PROBE_TASK = "integ.audit_probe"


@app.task(name=PROBE_TASK)
def audit_probe(marker: str) -> dict[str, Any]:
    from audit.services import audit_event
    from consent.selectors import consent_settings_get

    row = consent_settings_get()
    row.token_lifetime_hours = (row.token_lifetime_hours or 24) + 1
    row.save()
    entry = audit_event(action="integ.probe", details={"marker": marker})
    return {"schema": connection.schema_name, "seq": entry.seq}
