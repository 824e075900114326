"""The compliance console on the platform host: search, entry detail, streamed CSV, chain status.

Who may enter: platform staff, or anyone holding the compliance role (view_audit) on at least one
study; each sees only the studies they cover. Every page that reads the trail is itself audited.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import selectors
from audit.apis import record_query
from audit.verification import verify_studies
from research_platform.errors import ApplicationError

PAGE_SIZE = 50
CSV_COLUMNS = [
    "chain", "seq", "timestamp", "study", "action", "kind", "actor_id", "actor_label", "object_type", "object_pk",
    "object_repr", "changes", "details", "reason", "redacted", "prev_hash", "entry_hash",
]  # fmt: skip


def _scope(request: HttpRequest, f: selectors.AuditFilters) -> tuple[list, bool]:
    user = request.user
    if not selectors.is_platform_auditor(user) and not selectors.covered_studies(user):
        raise PermissionDenied
    try:
        return selectors.scope_for(user, f)
    except ApplicationError as exc:
        raise Http404 from exc


def _filters(request: HttpRequest) -> tuple[selectors.AuditFilters, dict[str, Any]]:
    try:
        return selectors.parse_filters(request.GET), {}
    except ApplicationError as exc:
        return selectors.AuditFilters(), exc.details


@require_safe  # read-only pages: POST, PUT, DELETE get 405
@login_required
def console(request: HttpRequest) -> HttpResponse:
    f, errors = _filters(request)
    studies, platform_wide = _scope(request, f)
    try:
        page_no = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_no = 1
    page = selectors.search(studies, platform_wide, f, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    record_query(what="console", filters=f.as_dict(), studies=studies, count=page["count"])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": f.as_dict(),
        "errors": errors,
        "studies": selectors.covered_studies(request.user),
        "platform_wide": platform_wide,
        "page": page,
        "page_no": page_no,
        "has_next": page_no * PAGE_SIZE < page["count"],
        "query": query.urlencode(),
    }
    return render(request, "audit/console.html", context)


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
    context = {"entry": entry, "changes": changes, "details": json.dumps(entry["details"], indent=2, sort_keys=True)}
    return render(request, "audit/entry.html", context)


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
            "object_type": r["object"]["type"],
            "object_pk": r["object"]["pk"],
            "object_repr": r["object"]["repr"],
        }
        yield writer.writerow([_cell(flat[c]) for c in CSV_COLUMNS])


@require_safe  # read-only pages: POST, PUT, DELETE get 405
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    f, errors = _filters(request)
    if errors:
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
    return render(request, "audit/chains.html", {"chains": results, "checked_at": timezone.now()})
