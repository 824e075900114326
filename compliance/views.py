"""The compliance console on the platform host: search, entry detail, streamed CSV, chain status.

Who may enter: platform staff, or anyone holding the compliance role (view_audit) on at least one
study; each sees only the studies they cover. Every page that reads the trail is itself audited.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import selectors
from audit.verification import verify_studies
from compliance.researcher_apis import record_query
from compliance.selectors import covered_studies, is_platform_auditor, scope_for
from core.errors import ApplicationError

PAGE_SIZE = 50
CSV_COLUMNS = [
    "chain", "seq", "timestamp", "study", "action", "kind", "actor_id", "actor_label", "actor_username",
    "object_type", "object_pk", "object_repr", "changes", "details", "reason", "redacted", "prev_hash", "entry_hash",
]  # fmt: skip
FILTER_FIELDS = ("actor", "action", "object", "study", "since", "until")
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _scope(request: HttpRequest, f: selectors.AuditFilters) -> tuple[list, bool]:
    user = request.user
    if not is_platform_auditor(user) and not covered_studies(user):
        raise PermissionDenied
    try:
        return scope_for(user, f)
    except ApplicationError as exc:
        raise Http404 from exc


def _filters(request: HttpRequest) -> tuple[selectors.AuditFilters | None, dict[str, Any]]:
    """The filters, or None and the message for each unreadable field."""
    try:
        return selectors.parse_filters(request.GET, viewer=request.user), {}
    except ApplicationError as exc:
        return None, exc.details


def _actor_shown(actor: dict[str, Any]) -> str:
    """The actor as an officer reads it: the username in place of "user:<id>" (display only)."""
    label, name = actor["label"], actor["username"]
    if not name:
        return label  # participants, tasks, the system, deleted accounts: the stored label
    own = f"user:{actor['id']}"
    return name + label[len(own) :] if label.startswith(own) else f"{label} ({name})"


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "actor_shown": _actor_shown(row["actor"]),
        "when": timezone.localtime(datetime.fromisoformat(row["timestamp"])),
    }


def _console_context(**extra: Any) -> dict[str, Any]:
    return {"tz_name": timezone.get_default_timezone_name(), **extra}


@require_safe  # read-only pages: POST, PUT, DELETE get 405
@login_required
def console(request: HttpRequest) -> HttpResponse:
    typed = {name: (request.GET.get(name) or "").strip() for name in FILTER_FIELDS}
    f, errors = _filters(request)
    studies, platform_wide = _scope(request, f or selectors.AuditFilters(study=typed["study"]))
    try:
        page_no = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_no = 1
    page = None
    if f is not None:  # an unreadable filter searches nothing: the officer fixes it first
        page = selectors.search(studies, platform_wide, f, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
        record_query(what="console", filters=f.as_dict(), studies=studies, count=page["count"])
        page["results"] = [_shown(r) for r in page["results"]]
    query = request.GET.copy()
    query.pop("page", None)
    context = _console_context(
        nav="console",
        typed=typed,
        # An old link's date-time (or a typo) would be blanked by a date picker: show it as text.
        date_inputs={
            name: "date" if not typed[name] or _PLAIN_DATE.fullmatch(typed[name]) else "text"
            for name in ("since", "until")
        },
        include_own_queries=bool(f and f.include_own_queries),
        errors=errors,
        studies=covered_studies(request.user),
        platform_wide=platform_wide,
        page=page,
        page_no=page_no,
        has_next=page is not None and page_no * PAGE_SIZE < page["count"],
        query=query.urlencode(),
    )
    return render(request, "compliance/console.html", context)


@require_safe  # read-only pages: POST, PUT, DELETE get 405
@login_required
def entry_detail(request: HttpRequest, chain: str, entry_id: int) -> HttpResponse:
    f = selectors.AuditFilters(study="" if chain == "public" else chain)
    studies, platform_wide = _scope(request, f)
    entry = selectors.entry_detail(studies, platform_wide, chain, entry_id)
    if entry is None:
        raise Http404
    record_query(what="entry", filters={"chain": chain, "id": str(entry_id)}, studies=studies, count=1)
    changes = [
        {"field": name, "old": values[0] if len(values) > 0 else "", "new": values[1] if len(values) > 1 else ""}
        for name, values in sorted(entry["changes"].items())
        if isinstance(values, list)
    ]
    context = _console_context(
        nav="entry",
        entry=_shown(entry),
        changes=changes,
        details=json.dumps(entry["details"], indent=2, sort_keys=True),
    )
    return render(request, "compliance/entry.html", context)


class _Echo:
    """csv.writer target that hands each line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = (
        json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else ("" if value is None else str(value))
    )
    # Spreadsheets execute cells starting with these: keep them text.
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for r in rows:
        flat = {
            **r,
            "actor_id": r["actor"]["id"],
            "actor_label": r["actor"]["label"],
            "actor_username": r["actor"]["username"],
            "object_type": r["object"]["type"],
            "object_pk": r["object"]["pk"],
            "object_repr": r["object"]["repr"],
        }
        yield writer.writerow([_cell(flat[c]) for c in CSV_COLUMNS])


@require_safe  # read-only pages: POST, PUT, DELETE get 405
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    f, errors = _filters(request)
    if f is None:
        return HttpResponse("Unreadable filters: " + ", ".join(sorted(errors)), status=400, content_type="text/plain")
    studies, platform_wide = _scope(request, f)
    record_query(what="export", filters=f.as_dict(), studies=studies, count=None)
    response = StreamingHttpResponse(
        _csv_lines(selectors.iter_entries(studies, platform_wide, f)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@require_safe  # read-only pages: POST, PUT, DELETE get 405
@login_required
def chains(request: HttpRequest) -> HttpResponse:
    studies, _ = _scope(request, selectors.AuditFilters())
    results = verify_studies([s.slug for s in studies], include_platform=True)
    record_query(what="verify", filters={}, studies=studies, count=None)
    context = _console_context(nav="chains", chains=results, checked_at=timezone.localtime())
    return render(request, "compliance/chains.html", context)
