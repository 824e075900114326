"""Exports: formats, Psych-DS rules, hBayesDM rows, audit, versions, streaming in constant memory."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

from tests.conftest import api_client_for
from tests.dashboard.support import simulated_participants

ALPHA = "alpha.localhost"


def download(user, fmt: str):
    response = api_client_for(user, ALPHA).get(f"/api/v1/export/?format={fmt}")
    assert response.status_code == 200, response.content
    assert response.streaming
    return response, b"".join(response.streaming_content)


def test_the_hbayesdm_export_has_one_row_per_played_balloon_counting_the_fatal_pump(cast, in_alpha):
    from games.models import Balloon

    simulated_participants(3, balloons=10, process=False)
    _, body = download(cast["analyst"], "hbayesdm")
    rows = list(csv.DictReader(io.StringIO(body.decode()), delimiter="\t"))
    assert list(rows[0]) == [
        *("subjID", "pumps", "explosion", "participant", "session", "color"),
        *("condition", "flow_version", "flow_session"),
    ]
    played = Balloon.objects.exclude(outcome="pending")
    assert len(rows) == played.count() == 30
    for balloon in played.filter(outcome="popped"):
        assert balloon.pumps == balloon.explosion_point  # the pump that popped it is counted
    popped_rows = [r for r in rows if r["explosion"] == "1"]
    assert popped_rows and all(int(r["pumps"]) >= 1 for r in popped_rows)
    assert sorted(int(r["pumps"]) for r in popped_rows) == sorted(b.pumps for b in played.filter(outcome="popped"))


def test_the_trial_csv_has_every_event_in_seq_order_with_jspsych_columns(cast, in_alpha):
    from games.models import Event

    simulated_participants(2, balloons=4, process=False)
    response, body = download(cast["analyst"], "csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert len(rows) == Event.objects.count()
    assert {"trial_index", "time_elapsed", "rt"} <= set(rows[0])
    first = [int(r["trial_index"]) for r in rows if r["participant"] == rows[0]["participant"]]
    assert first == sorted(first) and first[0] == 0
    assert "event_schema=bart-events/1" in response["X-Export-Versions"]


def test_the_psychds_export_follows_the_psychds_rules(cast, in_alpha):
    simulated_participants(2, balloons=11)
    _, body = download(cast["analyst"], "psychds")
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    description = json.loads(archive.read("dataset_description.json"))
    assert description["@context"] == "http://schema.org/" and description["@type"] == "Dataset"
    assert description["name"] and description["description"]
    data_files = [n for n in names if n.startswith("data/")]
    keyword = re.compile(r"^data/([a-z]+-[A-Za-z0-9]+_)+data\.csv$")
    assert data_files and all(keyword.match(n) for n in data_files), data_files
    assert sum("_subject-" in n for n in data_files) == 2
    measured = {v["name"] for v in description["variableMeasured"]}
    for name in data_files:
        header = archive.read(name).decode().splitlines()[0].split(",")
        assert set(header) <= measured, (name, set(header) - measured)  # variableMeasured is complete
    versions = {p["name"]: p["value"] for p in description["additionalProperty"]}
    assert {"event_schema", "metrics", "traits", "models", "export_format"} <= set(versions)
    traits_file = next(n for n in data_files if "description-traits" in n)
    traits = list(csv.DictReader(io.StringIO(archive.read(traits_file).decode())))
    assert len(traits) == 2  # one profile per session
    # The indicator in its own units beside z, and what z compares with: no study norms yet.
    for row in traits:
        assert row["risk_tolerance_value"] and float(row["risk_tolerance_value_low"]) <= float(
            row["risk_tolerance_value"]
        ) <= float(row["risk_tolerance_value_high"])
        assert row["risk_tolerance_norm"] == "placeholder" and row["risk_tolerance_norm_n"] == ""
    dictionary = list(csv.DictReader(io.StringIO(archive.read("data_dictionary.csv").decode())))
    assert {r["column"] for r in dictionary} == measured


def test_every_export_is_audited_without_personal_data(cast, in_alpha):
    from audit.models import AuditEntry

    simulated_participants(1, balloons=2, process=False)
    for fmt in ("csv", "balloons", "hbayesdm", "psychds"):
        download(cast["analyst"], fmt)
    entries = AuditEntry.objects.filter(event="export").order_by("seq")
    assert [e.additional_data["format"] for e in entries] == ["csv", "balloons", "hbayesdm", "psychds"]
    assert all(e.actor_id == cast["analyst"].pk for e in entries)


@pytest.mark.parametrize("fmt", ["", "xlsx"])
def test_an_unknown_format_is_a_machine_readable_400(cast, in_alpha, fmt):
    response = api_client_for(cast["analyst"], ALPHA).get(f"/api/v1/export/?format={fmt}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def _bulk_events(session, n: int, start: int) -> None:
    import uuid

    from django.utils import timezone

    from games.models import Event

    now = timezone.now()
    Event.objects.bulk_create(
        (
            Event(
                session=session,
                event_id=uuid.uuid4(),
                seq=start + i,
                type="pump",
                t=float(i),
                client_ts=i,
                received_at=now,
                balloon=0,
                pumps=i,
                rt_ms=250.0,
                data={"pump": i},
                raw={},
            )
            for i in range(n)
        ),
        batch_size=5000,
    )


def _peak_while_streaming(fmt: str) -> tuple[int, int]:
    import tracemalloc

    from dashboard import exports

    tracemalloc.start()
    try:
        chunks, _ = exports.export_stream(fmt, study_slug="alpha", study_title="A")
        size = sum(len(c) for c in chunks)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["csv", "psychds"])
def test_memory_does_not_grow_with_the_number_of_events(cast, in_alpha, fmt):
    (session,) = simulated_participants(1, balloons=1, process=False)
    _bulk_events(session, 10_000, start=1000)
    peak_small, size_small = _peak_while_streaming(fmt)
    _bulk_events(session, 30_000, start=100_000)
    peak_large, size_large = _peak_while_streaming(fmt)
    assert size_large > 3 * size_small * 0.9  # four times the events, about four times the output
    # Memory stays at one chunk of rows (plus a 64 KB text buffer) whatever the number of events.
    assert peak_large < 1.5 * peak_small + 512 * 1024, (peak_small, peak_large)
    if fmt == "csv":  # (the zip is compressed, so its size says nothing about the rows held)
        assert peak_large < size_large  # the export was never held whole in memory
