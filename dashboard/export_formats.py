"""Export formats (pure, no Django): column dictionaries, streamed CSV, streamed zip, Psych-DS.

Everything here works on iterators so an export of any size runs in constant memory: rows are
turned into CSV text a chunk at a time, and the Psych-DS zip is written through a sink that
hands each compressed chunk to the caller as soon as it exists.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

# 2.0.0: hBayesDM subjID is one sequence per participant, session and colour (was the participant);
# analysis formats leave out unfinished sessions and every format leaves out pilots by default (#20).
# 2.2.0: every table carries the flow (condition, flow version, flow session); participant and questionnaire
# tables (scores, item responses) are new, and free-text answers are withheld unless asked for twice.
EXPORT_FORMAT_VERSION = "rp-export/2.2.0"

# Analysis formats are fitted or summarised per finished session, and a half-played session would
# enter them as if it were a whole one; the trial-level CSV is the raw event log, kept whole.
FINISHED_ONLY_BY_DEFAULT: dict[str, bool] = {
    "csv": False,
    "balloons": True,
    "hbayesdm": True,
    "psychds": True,
    # Questionnaire tables only ever hold submitted responses; the flag is about game sessions.
    "participants": True,
    "scores": True,
    "item_responses": True,
}


@dataclass(frozen=True)
class ExportScope:
    """Which sessions an export holds: finished ones only or all, with or without pilot participants,
    and whether free-text answers are asked for (they come out only where the questionnaire allows it too)."""

    finished_only: bool
    include_pilots: bool = False
    include_free_text: bool = False

    def as_versions(self) -> dict[str, str]:
        """The scope as entries of the export's versions (header, job row, Psych-DS description)."""
        return {
            "sessions": "finished" if self.finished_only else "all",
            "pilot_participants": "included" if self.include_pilots else "excluded",
            "free_text": "where_allowed" if self.include_free_text else "withheld",
        }

    def sentence(self) -> str:
        sessions = (
            "Only finished sessions (completed by the participant) are included; sessions still in progress "
            "or abandoned are left out."
            if self.finished_only
            else "Every session is included, finished or not (in progress or abandoned)."
        )
        pilots = (
            "Pilot participants (who joined while the study was piloting) are included."
            if self.include_pilots
            else "Pilot participants (who joined while the study was piloting) are left out."
        )
        free_text = (
            "Free-text answers are included for questionnaires whose definition allows their export "
            "(export_free_text); others are withheld."
            if self.include_free_text
            else "Free-text answers are withheld (empty, with withheld=free_text)."
        )
        return f"{sessions} {pilots} {free_text}"


def default_scope(export_format: str) -> ExportScope:
    return ExportScope(finished_only=FINISHED_ONLY_BY_DEFAULT.get(export_format, True), include_pilots=False)


_TRUE, _FALSE = ("true", "1"), ("false", "0")


def parse_flag(value: Any) -> bool:
    """A strict boolean from JSON (true/false) or a query string ("true"/"false", "1"/"0")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("must be true or false")


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    unit: str = ""


# Where in the study's flow a game session was played (games.GameSession's flow columns).
FLOW_SESSION_COLUMNS: tuple[Column, ...] = (
    Column("condition", "The participant's condition in the study flow (key; empty without conditions or a flow)"),
    Column("flow_version", "Number of the flow version the participant joined (empty outside a flow)"),
    Column("flow_session", "Study session (visit) of the flow this row belongs to (1 = the first visit)"),
)

# One row per recorded event, in seq order: jsPsych-style trial_index/time_elapsed/rt are kept.
TRIAL_COLUMNS: tuple[Column, ...] = (
    Column("participant", "Pseudonymous participant code"),
    Column("session", "Session number of this participant (1 = first)"),
    *FLOW_SESSION_COLUMNS,
    Column("trial_index", "Event sequence number within the session (seq)"),
    Column("event_type", "Event type (bart-events/1)"),
    Column("balloon", "Balloon index within the session (0-based)"),
    Column("pump", "Pump count on this balloon after this event"),
    Column("time_elapsed", "Time since session start, monotonic client clock", "ms"),
    Column("rt", "Response time of the action, when the client measured one", "ms"),
    Column("client_ts", "Client wall clock at the event (Unix epoch)", "ms"),
    Column("received_at", "Server receive time (ISO 8601, UTC)"),
    Column("context", "For context events: what changed (e.g. visibility:hidden)"),
    Column("flagged", "1 when the event did not fit the balloon schedule, else 0"),
    Column("event_schema", "Version of the event schema"),
)

# One row per balloon.
BALLOON_COLUMNS: tuple[Column, ...] = (
    Column("participant", "Pseudonymous participant code"),
    Column("session", "Session number of this participant (1 = first)"),
    *FLOW_SESSION_COLUMNS,
    Column("balloon", "Balloon index within the session (0-based)"),
    Column("color", "Balloon colour"),
    Column("max_pumps", "Largest possible explosion point for this colour", "pumps"),
    Column("explosion_point", "Pre-drawn pump at which this balloon pops", "pumps"),
    Column("pumps", "Pumps on this balloon, counting the fatal pump", "pumps"),
    Column("exploded", "1 if the balloon popped, else 0"),
    Column("earnings", "Amount banked from this balloon", "currency units"),
    Column(
        "session_flags",
        "The session's data-quality flags, ';'-separated (e.g. tracks_hidden_schedule: play that follows the "
        "hidden explosion points; docs/event-schema.md)",
    ),
    Column("event_schema", "Version of the event schema"),
)

# hBayesDM's bart_par4 / bart_ewmv input: pumps count the fatal pump. The models assume one balloon
# type learned over one sequence, so each (participant, session, colour) is its own subjID, as the
# platform fits them (docs/models.md); hBayesDM reads only its three columns, the others are for joins.
HBAYESDM_COLUMNS: tuple[Column, ...] = (
    Column(
        "subjID",
        "One balloon sequence: <participant>_s<session>_<colour> (one participant's balloons of one colour in one "
        "session, in play order)",
    ),
    Column("pumps", "Pumps on the balloon, counting the fatal pump", "pumps"),
    Column("explosion", "1 if the balloon popped, else 0"),
    Column("participant", "Pseudonymous participant code"),
    Column("session", "Session number of this participant (1 = first)"),
    Column("color", "Balloon colour"),
    *FLOW_SESSION_COLUMNS,
)


def hbayesdm_subject(participant: str, session: int, color: str) -> str:
    return f"{participant}_s{session}_{color}"


def scoped_columns(columns: Sequence[Column], scope: ExportScope) -> tuple[Column, ...]:
    """The columns with ``session`` and ``participant`` described for this scope (data dictionary)."""
    which = "finished sessions only" if scope.finished_only else "every session, finished or not"
    pilots = "pilot participants included" if scope.include_pilots else "pilot participants left out"
    described = {
        "session": f"Session number of this participant (1 = first, counted over all their sessions); "
        f"this export holds {which}",
        "participant": f"Pseudonymous participant code ({pilots})",
    }
    return tuple(Column(c.name, described[c.name], c.unit) if c.name in described else c for c in columns)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell starting with = + - @ tab or CR gets a leading apostrophe (OWASP CSV injection rule).

    Spreadsheets would run such a cell as a formula. Numbers are left alone (a negative number is
    data, not a formula); today no participant text reaches an export, this keeps it so if one does.
    """
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def csv_lines(columns: Sequence[Column], rows: Iterable[dict[str, Any]], *, delimiter: str = ",") -> Iterator[str]:
    """Header, then one CSV line per row; flushed in chunks of about 64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    names = [c.name for c in columns]
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else spreadsheet_safe(row.get(name)) for name in names])
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


_KEY_VALUE = re.compile(r"[^A-Za-z0-9]")


def psychds_value(value: str) -> str:
    """Psych-DS keyword values are alphanumeric: 'P-7K3M-Q9XW' becomes 'P7K3MQ9XW'."""
    return _KEY_VALUE.sub("", value) or "x"


def psychds_filename(
    *, study: str, subject: str | None = None, session: int | None = None, suffix: str = "data"
) -> str:
    parts = [f"study-{psychds_value(study)}"]
    if subject is not None:
        parts.append(f"subject-{psychds_value(subject)}")
    if session is not None:
        parts.append(f"session-{session}")
    return "data/" + "_".join(parts) + f"_{suffix}.csv"


def psychds_description(
    *, name: str, description: str, columns: Iterable[Column], versions: dict[str, str]
) -> dict[str, Any]:
    """dataset_description.json: schema.org Dataset whose variableMeasured lists every column."""
    seen: dict[str, Column] = {}
    for column in columns:
        seen.setdefault(column.name, column)
    return {
        "@context": "http://schema.org/",
        "@type": "Dataset",
        "name": name,
        "description": description,
        "variableMeasured": [
            {
                "@type": "PropertyValue",
                "name": c.name,
                "description": c.description,
                **({"unitText": c.unit} if c.unit else {}),
            }
            for c in seen.values()
        ],
        "keywords": ["Balloon Analogue Risk Task", "BART", "risk taking", "questionnaire"],
        "version": EXPORT_FORMAT_VERSION,
        "additionalProperty": [{"@type": "PropertyValue", "name": k, "value": v} for k, v in sorted(versions.items())],
    }


def data_dictionary(columns_by_file: dict[str, Sequence[Column]]) -> Iterator[str]:
    rows = (
        {"file": file_name, "column": c.name, "description": c.description, "unit": c.unit}
        for file_name, columns in columns_by_file.items()
        for c in columns
    )
    header = (Column("file", ""), Column("column", ""), Column("description", ""), Column("unit", ""))
    return csv_lines(header, rows)


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream whose bytes are collected and drained by the generator."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def stream_zip(files: Iterable[tuple[str, Iterable[str]]]) -> Iterator[bytes]:
    """Yield a zip archive of (name, text chunks) pairs, chunk by chunk (zip64, deflated)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in files:
            with archive.open(name, mode="w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk.encode("utf-8"))
                    if len(sink.chunks) > 0:
                        yield sink.drain()
            yield sink.drain()
    yield sink.drain()


def json_text(payload: dict[str, Any]) -> Iterator[str]:
    yield json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
