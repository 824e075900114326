"""Export formats: CSV streaming, Psych-DS naming and description, streamed zip in constant memory."""

from __future__ import annotations

import csv
import io
import json
import re
import tracemalloc
import zipfile

from dashboard.export_formats import (
    BALLOON_COLUMNS,
    HBAYESDM_COLUMNS,
    TRIAL_COLUMNS,
    ExportScope,
    csv_lines,
    default_scope,
    hbayesdm_subject,
    parse_flag,
    psychds_description,
    psychds_filename,
    scoped_columns,
    stream_zip,
)

PSYCHDS_NAME = re.compile(r"^data/([a-z]+-[a-zA-Z0-9]+_)+[a-z]+\.csv$")


def test_csv_lines_quote_hostile_text_and_blank_missing_values():
    rows = [{"subjID": 'P-1,"x"\n', "pumps": 3}, {"subjID": "P-2", "pumps": None, "explosion": 1}]
    text = "".join(csv_lines(HBAYESDM_COLUMNS, rows))
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][:3] == ["subjID", "pumps", "explosion"]
    assert parsed[1] == ['P-1,"x"\n', "3", "", "", "", "", "", "", ""]
    assert parsed[2] == ["P-2", "", "1", "", "", "", "", "", ""]


def test_psychds_file_names_follow_the_keyword_rules():
    name = psychds_filename(study="pilot-2", subject="P-7K3M-Q9XW", session=1)
    assert name == "data/study-pilot2_subject-P7K3MQ9XW_session-1_data.csv"
    assert PSYCHDS_NAME.match(name)
    assert PSYCHDS_NAME.match(psychds_filename(study="demo", suffix="balloons"))


def test_the_psychds_description_lists_every_column_once():
    description = psychds_description(
        name="Demo", description="d", columns=[*TRIAL_COLUMNS, *BALLOON_COLUMNS], versions={"metrics": "1.0.0"}
    )
    assert description["@context"] == "http://schema.org/"
    assert description["@type"] == "Dataset"
    names = [v["name"] for v in description["variableMeasured"]]
    assert len(names) == len(set(names))
    assert set(names) == {c.name for c in (*TRIAL_COLUMNS, *BALLOON_COLUMNS)}


def test_a_streamed_zip_is_a_valid_archive():
    chunks = list(stream_zip([("a.csv", iter(["x,y\n", "1,2\n"])), ("b.json", iter([json.dumps({"k": 1})]))]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.read("a.csv") == b"x,y\n1,2\n"
    assert json.loads(archive.read("b.json")) == {"k": 1}


def _peak_memory_of_streaming(n_rows: int) -> int:
    def rows():
        for i in range(n_rows):
            yield {
                "participant": "P-AAAA-BBBB",
                "session": 1,
                "trial_index": i,
                "event_type": "pump",
                "balloon": i // 40,
                "pump": i % 40,
                "time_elapsed": i * 310.5,
                "rt": 290.1,
            }

    tracemalloc.start()
    total = 0
    for chunk in stream_zip([("data/trials.csv", csv_lines(TRIAL_COLUMNS, rows()))]):
        total += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total > 0
    return peak


def test_streaming_memory_does_not_grow_with_the_number_of_rows():
    small = _peak_memory_of_streaming(20_000)
    large = _peak_memory_of_streaming(200_000)
    # Ten times the rows may not need more than a small constant extra (no whole-file buffering).
    assert large < small * 1.5 + 256 * 1024, (small, large)


def test_analysis_formats_default_to_finished_sessions_and_the_trial_csv_to_all_pilots_left_out_everywhere():
    assert default_scope("csv") == ExportScope(finished_only=False, include_pilots=False)
    for fmt in ("balloons", "hbayesdm", "psychds"):
        assert default_scope(fmt) == ExportScope(finished_only=True, include_pilots=False)


def test_the_scope_names_itself_in_the_versions_and_in_a_sentence():
    scope = ExportScope(finished_only=True, include_pilots=True)
    assert scope.as_versions() == {"sessions": "finished", "pilot_participants": "included", "free_text": "withheld"}
    assert ExportScope(finished_only=False, include_free_text=True).as_versions() == {
        "sessions": "all",
        "pilot_participants": "excluded",
        "free_text": "where_allowed",
    }
    assert scope.sentence().startswith("Only finished sessions") and "are included." in scope.sentence()


def test_options_are_strict_booleans():
    assert [parse_flag(v) for v in (True, False, "true", "FALSE", "1", "0", " true ")] == [
        True, False, True, False, True, False, True,
    ]  # fmt: skip
    for bad in ("yes", "", "on", 1, 0, None, "tru"):
        try:
            parse_flag(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_an_hbayesdm_subject_is_participant_session_and_colour():
    assert hbayesdm_subject("P-7K3M-Q9XW", 2, "orange") == "P-7K3M-Q9XW_s2_orange"
    names = [c.name for c in HBAYESDM_COLUMNS]
    assert names[:3] == ["subjID", "pumps", "explosion"] and set(names) >= {"participant", "session", "color"}


def test_the_data_dictionary_columns_say_which_sessions_and_participants_are_in():
    columns = {c.name: c for c in scoped_columns(BALLOON_COLUMNS, ExportScope(finished_only=False))}
    assert "every session, finished or not" in columns["session"].description
    assert "pilot participants left out" in columns["participant"].description
    assert columns["pumps"] == next(c for c in BALLOON_COLUMNS if c.name == "pumps")  # others untouched
