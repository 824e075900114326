"""Export rows out of the study schema, streamed: each format is an iterator of text or byte chunks.

Events are read through a server-side cursor (``QuerySet.iterator(chunk_size=...)``), so memory
holds one chunk of rows, never the whole table; the only thing kept per export is a small map
from session to (participant code, session number), which grows with sessions, not events.
Formats are pure pipelines from export_formats.py over these row iterators. Every function takes
the export's scope (export_formats.ExportScope: finished sessions only or all, pilots or not, free
text asked for or not). Every game row names its session's flow (condition, flow version, flow
session); the participant and questionnaire tables are export_questionnaires.py's, and the Psych-DS
dataset that holds them all is export_psychds.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from dashboard.export_formats import (
    BALLOON_COLUMNS,
    EXPORT_FORMAT_VERSION,
    FLOW_SESSION_COLUMNS,
    HBAYESDM_COLUMNS,
    TRIAL_COLUMNS,
    Column,
    ExportScope,
    csv_lines,
    default_scope,
    hbayesdm_subject,
    stream_zip,
)
from dashboard.export_questionnaires import (
    ITEM_COLUMNS,
    PARTICIPANT_COLUMNS,
    count_questionnaire_rows,
    item_rows,
    participant_rows,
    questionnaire_versions,
    score_columns,
    score_rows,
)
from games.models import Balloon, Event, GameSession
from pseudonymization.models import Participant

CHUNK_ROWS = 2000
PROGRESS_EVERY = 5000
# A finished session is one the participant completed (the complete endpoint); `abandoned` sessions
# also get a completed_at (when the sweep closed them), so the status decides, not that field.
FINISHED_STATUSES = GameSession.FINISHED_STATUSES


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    file_suffix: str
    content_type: str


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "Trial-level CSV (one row per event)", "trials.csv", "text/csv; charset=utf-8"),
    "balloons": ExportFormat("balloons", "Balloon-level CSV", "balloons.csv", "text/csv; charset=utf-8"),
    "hbayesdm": ExportFormat(
        "hbayesdm",
        "hBayesDM (one subjID per participant, session and colour; tab-separated)",
        "hbayesdm.txt",
        "text/tab-separated-values; charset=utf-8",
    ),
    "participants": ExportFormat(
        "participants", "Participants (condition and assignment)", "participants.csv", "text/csv; charset=utf-8"
    ),
    "scores": ExportFormat(
        "scores", "Questionnaire scores (one row per response and scale)", "scores.csv", "text/csv; charset=utf-8"
    ),
    "item_responses": ExportFormat(
        "item_responses",
        "Questionnaire item responses (one row per response and item)",
        "item_responses.csv",
        "text/csv; charset=utf-8",
    ),
    "psychds": ExportFormat("psychds", "Psych-DS dataset (zip)", "psychds.zip", "application/zip"),
}
QUESTIONNAIRE_FORMATS = frozenset({"participants", "scores", "item_responses"})


def _stored_sessions() -> Any:
    # Erased participants have nothing left to export; withdrawn ones keep what they gave before.
    return GameSession.objects.exclude(participant__status=Participant.Status.ERASED)


def _exportable_sessions(scope: ExportScope) -> Any:
    sessions = _stored_sessions()
    if scope.finished_only:
        sessions = sessions.filter(status__in=FINISHED_STATUSES)
    if not scope.include_pilots:
        sessions = sessions.exclude(participant__pilot=True)
    return sessions


def session_numbers(scope: ExportScope) -> dict[Any, tuple[str, int]]:
    """session id -> (participant code, session number of that participant, 1 = first), in the scope.

    Numbers count every stored session of the participant, so a session keeps its number whatever
    the scope (a second session stays 2 when an unfinished first one is left out): exports join.
    """
    rows = (
        _stored_sessions()
        .annotate(
            number=Window(RowNumber(), partition_by=[F("participant_id")], order_by=[F("started_at").asc(), F("id")])
        )
        .values_list("id", "participant__participant_code", "number", "status", "participant__pilot")
    )
    return {
        pk: (code, number)
        for pk, code, number, status, pilot in rows.iterator(chunk_size=CHUNK_ROWS)
        if (status in FINISHED_STATUSES or not scope.finished_only) and (scope.include_pilots or not pilot)
    }


def export_versions(scope: ExportScope, *, with_results: bool = False) -> dict[str, str]:
    """The versions of what an export holds: the export format, every event schema in it, the scope
    (which sessions and participants), and the metric/model/trait versions when it carries results."""
    schemas = sorted(set(_exportable_sessions(scope).values_list("event_schema", flat=True).distinct()))
    versions = {"export_format": EXPORT_FORMAT_VERSION, "event_schema": ",".join(schemas) or "none"}
    versions.update(scope.as_versions())
    versions.update(questionnaire_versions())
    if with_results:
        versions.update(results_versions())
    return versions


def results_versions() -> dict[str, str]:
    from traits.bart_models import MODELS
    from traits.mapping import TRAITS_VERSION
    from traits.metrics import METRICS_VERSION

    return {
        "metrics": METRICS_VERSION,
        "traits": TRAITS_VERSION,
        "models": ",".join(m.version for _, m in sorted(MODELS.items())),
    }


# The flow columns of a game session, read beside each row (games.GameSession).
SESSION_FLOW_FIELDS = ("condition", "flow_version", "flow_session")
FLOW_FIELDS = tuple(f"session__{name}" for name in SESSION_FLOW_FIELDS)


def flow_columns(condition: str, flow_version: int | None, flow_session: int | None) -> dict[str, Any]:
    return {"condition": condition or "", "flow_version": flow_version, "flow_session": flow_session}


def _context(kind: str, data: dict[str, Any]) -> str:
    if not kind:
        return ""
    state = data.get("state") if isinstance(data, dict) else None
    return f"{kind}:{state}" if state is not None else kind


def trial_rows(sessions: dict[Any, tuple[str, int]], scope: ExportScope) -> Iterator[dict[str, Any]]:
    """One dict per stored event, ordered by participant, session, seq (server-side cursor)."""
    events = (
        Event.objects.filter(session_id__in=_exportable_sessions(scope).values("id"))
        .order_by("session__participant__participant_code", "session__started_at", "session_id", "seq", "id")
        .values_list(
            "session_id",
            "seq",
            "type",
            "balloon",
            "pumps",
            "t",
            "rt_ms",
            "client_ts",
            "received_at",
            "context_kind",
            "data",
            "flags",
            "session__event_schema",
            *FLOW_FIELDS,
        )
    )
    rows = events.iterator(chunk_size=CHUNK_ROWS)
    for sid, seq, type_, balloon, pumps, t, rt, client_ts, received, kind, data, flags, schema, *flow in rows:
        code, number = sessions.get(sid, ("", 0))
        yield {
            "participant": code,
            "session": number,
            **flow_columns(*flow),
            "trial_index": seq,
            "event_type": type_,
            "balloon": balloon,
            "pump": pumps,
            "time_elapsed": t,
            "rt": rt,
            "client_ts": client_ts,
            "received_at": received.isoformat() if received else "",
            "context": _context(kind, data),
            "flagged": 1 if flags else 0,
            "event_schema": schema,
        }


def balloon_rows(
    sessions: dict[Any, tuple[str, int]], scope: ExportScope, *, by_color: bool = False
) -> Iterator[dict[str, Any]]:
    """One dict per played balloon (pending balloons were never reached and are left out), in play
    order per session; ``by_color`` puts each colour's balloons of a session together (still in play order)."""
    order = ["session__participant__participant_code", "session__started_at", "session_id", "index"]
    if by_color:
        order.insert(3, "color")
    balloons = (
        Balloon.objects.filter(session_id__in=_exportable_sessions(scope).values("id"))
        .exclude(outcome=Balloon.Outcome.PENDING)
        .order_by(*order)
        .values_list(
            "session_id",
            "index",
            "color",
            "max_pumps",
            "explosion_point",
            "pumps",
            "outcome",
            "earnings",
            "session__event_schema",
            "session__quality_flags",
            *FLOW_FIELDS,
        )
    )
    rows = balloons.iterator(chunk_size=CHUNK_ROWS)
    for sid, index, color, max_pumps, explosion_point, pumps, outcome, earnings, schema, flags, *flow in rows:
        code, number = sessions.get(sid, ("", 0))
        yield {
            "participant": code,
            "session": number,
            **flow_columns(*flow),
            "balloon": index,
            "color": color,
            "max_pumps": max_pumps,
            "explosion_point": explosion_point,
            "pumps": pumps,
            "exploded": 1 if outcome == "popped" else 0,
            "earnings": f"{earnings:.4f}",
            "session_flags": ";".join(sorted(name for name, value in (flags or {}).items() if value)),
            "event_schema": schema,
        }


def hbayesdm_rows(sessions: dict[Any, tuple[str, int]], scope: ExportScope) -> Iterator[dict[str, Any]]:
    """hBayesDM's bart input: one row per balloon, pumps counting the fatal pump (as Balloon.pumps does),
    one subjID per (participant, session, colour), its balloons together and in play order."""
    for row in balloon_rows(sessions, scope, by_color=True):
        yield {
            "subjID": hbayesdm_subject(row["participant"], row["session"], row["color"]),
            "pumps": row["pumps"],
            "explosion": row["exploded"],
            "participant": row["participant"],
            "session": row["session"],
            "color": row["color"],
            **{name: row[name] for name in ("condition", "flow_version", "flow_session")},
        }


def trait_columns() -> tuple[Column, ...]:
    from traits.mapping import DIMENSIONS

    base = (
        Column("participant", "Pseudonymous participant code"),
        Column("session", "Session number of this participant (1 = first)"),
        *FLOW_SESSION_COLUMNS,
        Column("profile_status", "ok, partial or insufficient_data"),
        Column("traits_version", "Version of the trait mapping"),
        Column("metrics_version", "Version of the metric definitions"),
        Column("model_versions", "Versions of the model fits used as evidence"),
        Column("input_hash", "SHA-256 of the session's schedule and events the profile was computed from"),
    )
    per_dim = tuple(
        column
        for d in DIMENSIONS
        for column in (
            # The indicator in its own units first: it does not depend on any norm (docs/traits.md).
            Column(f"{d.key}_value", f"{d.label}: {d.indicator}", "indicator units"),
            Column(
                f"{d.key}_value_low", f"{d.label}: lower end of the 95 % interval of the indicator", "indicator units"
            ),
            Column(
                f"{d.key}_value_high", f"{d.label}: upper end of the 95 % interval of the indicator", "indicator units"
            ),
            Column(f"{d.key}_z", f"{d.label}: standardized score ({d.low_pole} < 0 < {d.high_pole})", "z"),
            Column(f"{d.key}_z_low", f"{d.label}: lower end of the 95 % interval of z", "z"),
            Column(f"{d.key}_z_high", f"{d.label}: upper end of the 95 % interval of z", "z"),
            Column(
                f"{d.key}_norm",
                f"{d.label}: what z compares with: placeholder (the authors' made-up reference, no standing), "
                "study (this study's participants, leave-one-out) or published",
            ),
            Column(f"{d.key}_norm_n", f"{d.label}: participants in the norm (empty for the placeholder)"),
        )
    )
    return base + per_dim


def trait_rows(sessions: dict[Any, tuple[str, int]]) -> Iterator[dict[str, Any]]:
    from traits.mapping import TRAITS_VERSION
    from traits.models import TraitProfile

    profiles = (
        # One row per session: the default-reference profile (a study-norms profile may exist beside it).
        TraitProfile.objects.filter(traits_version=TRAITS_VERSION, reference="default", session_id__in=list(sessions))
        .order_by("participant__participant_code", "created_at")
        .values_list(
            "session_id", "status", "traits_version", "metrics_version", "model_versions", "input_hash", "dimensions"
        )
    )
    flows = {
        sid: flow_columns(*flow)
        for sid, *flow in GameSession.objects.filter(id__in=list(sessions)).values_list("id", *SESSION_FLOW_FIELDS)
    }
    for sid, status, traits_version, metrics_version, model_versions, input_hash, dims in profiles.iterator(
        chunk_size=CHUNK_ROWS
    ):
        code, number = sessions.get(sid, ("", 0))
        row: dict[str, Any] = {
            "participant": code,
            "session": number,
            **flows.get(sid, flow_columns("", None, None)),
            "profile_status": status,
            "traits_version": traits_version,
            "metrics_version": metrics_version,
            "input_hash": input_hash,
            "model_versions": ",".join(str(v) for _, v in sorted((model_versions or {}).items())),
        }
        for dim in dims or []:
            key = dim["key"]
            values = dim.get("value_interval") or [None, None]
            interval = dim.get("z_interval") or [None, None]
            norm = dim.get("norm") or dim.get("reference") or {}
            row[f"{key}_value"] = dim.get("value")
            row[f"{key}_value_low"], row[f"{key}_value_high"] = values[0], values[1]
            row[f"{key}_z"] = dim.get("z")
            row[f"{key}_z_low"], row[f"{key}_z_high"] = interval[0], interval[1]
            row[f"{key}_norm"] = norm.get("basis", "placeholder" if traits_version.startswith("bart-traits/1.") else "")
            row[f"{key}_norm_n"] = norm.get("n")
        yield row


def counted(
    rows: Iterable[dict[str, Any]], on_rows: Callable[[int], None] | None, *, every: int = PROGRESS_EVERY
) -> Iterator[dict[str, Any]]:
    """Pass rows through, reporting the running count every ``every`` rows (and at the end)."""
    n = 0
    for row in rows:
        n += 1
        if on_rows is not None and n % every == 0:
            on_rows(n)
        yield row
    if on_rows is not None:
        on_rows(n)


def export_stream(
    export_format: str,
    *,
    study_slug: str,
    study_title: str,
    scope: ExportScope | None = None,
    on_rows: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> tuple[Iterator[Any], dict[str, str]]:
    """The chunks of one export (text for CSV formats, bytes for the zip) and the versions it carries.

    ``scope`` defaults to the format's (export_formats.default_scope). ``on_rows(n)`` is told the
    running number of rows written every ``progress_every`` rows (trials, then balloons for Psych-DS).
    """
    scope = scope or default_scope(export_format)
    if export_format in QUESTIONNAIRE_FORMATS:
        columns, table = questionnaire_table(export_format, scope)
        return csv_lines(columns, counted(table, on_rows, every=progress_every)), export_versions(scope)
    sessions = session_numbers(scope)
    if export_format == "psychds":
        from dashboard.export_psychds import psychds_files

        versions = export_versions(scope, with_results=True)
        files = psychds_files(
            study_slug=study_slug,
            study_title=study_title,
            sessions=sessions,
            scope=scope,
            versions=versions,
            on_rows=on_rows,
            progress_every=progress_every,
        )
        return stream_zip(files), versions
    versions = export_versions(scope)
    if export_format == "csv":
        rows = trial_rows(sessions, scope)
        return csv_lines(TRIAL_COLUMNS, counted(rows, on_rows, every=progress_every)), versions
    if export_format == "balloons":
        rows = balloon_rows(sessions, scope)
        return csv_lines(BALLOON_COLUMNS, counted(rows, on_rows, every=progress_every)), versions
    rows = hbayesdm_rows(sessions, scope)
    return csv_lines(HBAYESDM_COLUMNS, counted(rows, on_rows, every=progress_every), delimiter="\t"), versions


def versions_header(versions: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(versions.items()))


def questionnaire_table(export_format: str, scope: ExportScope) -> tuple[tuple[Column, ...], Iterator[dict[str, Any]]]:
    if export_format == "participants":
        return PARTICIPANT_COLUMNS, participant_rows(scope)
    if export_format == "scores":
        return score_columns(), score_rows(scope)
    return ITEM_COLUMNS, item_rows(scope)


def count_rows(export_format: str, scope: ExportScope | None = None) -> int:
    """Rows the export will write (for the job's progress bar)."""
    scope = scope or default_scope(export_format)
    if export_format in QUESTIONNAIRE_FORMATS:
        return count_questionnaire_rows(export_format, scope)
    sessions = _exportable_sessions(scope).values("id")
    events = Event.objects.filter(session_id__in=sessions).count() if export_format in ("csv", "psychds") else 0
    if export_format == "csv":
        return events
    return events + Balloon.objects.filter(session_id__in=sessions).exclude(outcome=Balloon.Outcome.PENDING).count()
