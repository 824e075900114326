"""The Psych-DS dataset of a study: per-subject trial files, the balloon, trait, participant and
questionnaire tables, dataset_description.json (variableMeasured lists every column) and a data dictionary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from typing import Any

from dashboard.export_formats import (
    BALLOON_COLUMNS,
    TRIAL_COLUMNS,
    Column,
    ExportScope,
    csv_lines,
    data_dictionary,
    json_text,
    psychds_description,
    psychds_filename,
    scoped_columns,
)
from dashboard.export_questionnaires import (
    ITEM_COLUMNS,
    PARTICIPANT_COLUMNS,
    item_rows,
    participant_rows,
    score_columns,
    score_rows,
)
from dashboard.exports import PROGRESS_EVERY, balloon_rows, counted, trait_columns, trait_rows, trial_rows


def psychds_files(
    *,
    study_slug: str,
    study_title: str,
    sessions: dict[Any, tuple[str, int]],
    scope: ExportScope,
    versions: dict[str, str],
    on_rows: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> Iterator[tuple[str, Iterable[str]]]:
    """(name, chunks) pairs of a Psych-DS dataset: one trial file per subject and session (keyword
    names), the balloon and trait tables, dataset_description.json and a data dictionary."""
    columns_by_file: dict[str, tuple[Column, ...]] = {}
    trials_schema = scoped_columns(TRIAL_COLUMNS, scope)
    balloons_schema = scoped_columns(BALLOON_COLUMNS, scope)
    balloons_name = psychds_filename(study=study_slug, suffix="data").replace(
        "_data.csv", "_description-balloons_data.csv"
    )
    traits_name = balloons_name.replace("description-balloons", "description-traits")
    traits_schema = scoped_columns(trait_columns(), scope)
    tables = {
        name: balloons_name.replace("description-balloons", f"description-{name}")
        for name in ("participants", "scores", "items")
    }
    participants_schema = scoped_columns(PARTICIPANT_COLUMNS, scope)
    scores_schema = scoped_columns(score_columns(), scope)
    items_schema = scoped_columns(ITEM_COLUMNS, scope)
    description = psychds_description(
        name=f"{study_title} (Balloon Analogue Risk Task)",
        description=(
            "Pseudonymous data of a BART study exported from the research platform: every recorded event per "
            "subject and session, one row per balloon, each session's trait profile, each participant's flow "
            "condition, and the questionnaires' scores and item responses. Participant codes are pseudonyms; "
            "no identifiers are included. " + scope.sentence()
        ),
        columns=[*trials_schema, *balloons_schema, *traits_schema, *participants_schema, *scores_schema, *items_schema],
        versions=versions,
    )
    yield "dataset_description.json", json_text(description)
    trials_done = [0]

    def trials_progress(n: int) -> None:
        trials_done[0] = n
        if on_rows is not None:
            on_rows(n)

    def balloons_progress(n: int) -> None:
        if on_rows is not None:
            on_rows(trials_done[0] + n)

    # Described even when no session was played yet, so the dictionary always matches variableMeasured.
    columns_by_file["data/study-*_subject-*_session-*_data.csv"] = trials_schema
    trials = counted(trial_rows(sessions, scope), trials_progress, every=progress_every)
    for (code, number), rows in groupby(trials, key=lambda r: (r["participant"], r["session"])):
        name = psychds_filename(study=study_slug, subject=code, session=number)
        yield name, csv_lines(trials_schema, rows)
    columns_by_file[balloons_name] = balloons_schema
    balloons = counted(balloon_rows(sessions, scope), balloons_progress, every=progress_every)
    yield balloons_name, csv_lines(balloons_schema, balloons)
    columns_by_file[traits_name] = traits_schema
    yield traits_name, csv_lines(traits_schema, trait_rows(sessions))
    for key, schema, rows in (
        ("participants", participants_schema, participant_rows(scope)),
        ("scores", scores_schema, score_rows(scope)),
        ("items", items_schema, item_rows(scope)),
    ):
        columns_by_file[tables[key]] = schema
        yield tables[key], csv_lines(schema, rows)
    yield "data_dictionary.csv", data_dictionary(columns_by_file)
    yield "README.md", iter([_readme(study_slug, versions, scope)])


def _readme(study_slug: str, versions: dict[str, str], scope: ExportScope) -> str:
    lines = [
        f"# Study {study_slug}: Balloon Analogue Risk Task data (Psych-DS)",
        "",
        "Files under data/ are named by Psych-DS keywords (study, subject, session, description).",
        "dataset_description.json lists every column in variableMeasured; data_dictionary.csv repeats it per file.",
        "",
        "## Which data",
        "",
        scope.sentence(),
        "Session numbers count every session of a participant, so a session keeps its number in every export.",
        "Every table names the participant's condition and flow version; session-level rows name the flow "
        "session (the study visit) too. description-participants holds each participant's condition and how it "
        "was drawn; description-scores one row per submitted questionnaire and scale or subscale; "
        "description-items one row per submitted questionnaire and item.",
        "",
        "## Versions",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in sorted(versions.items())]
    return "\n".join(lines) + "\n"
