"""Which sessions an export holds (#20): unfinished sessions and pilot participants, per format, as
asked through the API and the exports page, recorded in the versions, the Psych-DS files and the job."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from tests.conftest import api_client_for

ALPHA = "alpha.localhost"
THREE_COLOURS = {
    "balloons_per_color": 4,
    "colors": [
        {"color": "orange", "max_pumps": 8},
        {"color": "yellow", "max_pumps": 32},
        {"color": "blue", "max_pumps": 128},
    ],
}


def play(participant, seed: str, *, balloons: int | None = None, finish: bool = True):
    """One session of ``participant`` through the real services; finished (completed) or left open."""
    from games.services import session_complete, session_ingest_events, session_start
    from games.simulate import TargetPolicy, batches, simulate_session

    session, _ = session_start(participant=participant, seed=seed)
    sim = simulate_session(session.schedule, TargetPolicy(target=6.0, jitter=2.0), seed=seed, balloons=balloons)
    events = sim.events if finish else sim.events[:-1]
    for batch in batches(events, 200):
        session_ingest_events(session=session, events=batch, sent_at=1_732_521_700_000)
    if finish:
        session = session_complete(session=session)
    session.refresh_from_db()
    return session


@pytest.fixture
def three_colours(in_alpha):
    from games.services import game_settings_update

    game_settings_update(acting_user=None, config=THREE_COLOURS)  # read from the study's schema at session start
    return in_alpha


@pytest.fixture
def study_data(three_colours):
    """A participant with a finished and then an unfinished session, one who abandoned, and a pilot."""
    from games.models import GameSession
    from pseudonymization.services import participant_enrol

    regular = participant_enrol()
    first = play(regular, "s-1")
    second = play(regular, "s-2", balloons=5, finish=False)
    quitter = participant_enrol()
    abandoned = play(quitter, "s-3", balloons=3, finish=False)
    GameSession.objects.filter(pk=abandoned.pk).update(status=GameSession.Status.ABANDONED)
    pilot = participant_enrol(pilot=True)
    piloted = play(pilot, "s-4")
    return {
        "regular": regular,
        "quitter": quitter,
        "pilot": pilot,
        "finished": first,
        "open": second,
        "abandoned": abandoned,
        "piloted": piloted,
    }


def rows_of(response, delimiter: str = ",") -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=delimiter))


def versions_of(response) -> dict[str, str]:
    return dict(part.split("=", 1) for part in response["X-Export-Versions"].split("; "))


def test_analysis_formats_leave_out_unfinished_sessions_and_pilots_by_default(cast, study_data):
    client = api_client_for(cast["analyst"], ALPHA)
    response = client.get("/api/v1/export/?format=balloons")
    balloons = rows_of(response)
    regular = study_data["regular"].participant_code
    assert {(r["participant"], r["session"]) for r in balloons} == {(regular, "1")}
    assert len(balloons) == 12  # the whole finished session: 3 colours x 4 balloons
    versions = versions_of(response)
    assert (versions["sessions"], versions["pilot_participants"]) == ("finished", "excluded")
    assert versions["export_format"] == "rp-export/2.2.0"


def test_the_trial_csv_keeps_unfinished_sessions_by_default_but_still_leaves_out_pilots(cast, study_data):
    from games.models import Event

    response = api_client_for(cast["analyst"], ALPHA).get("/api/v1/export/?format=csv")
    trials = rows_of(response)
    pilot = study_data["pilot"].participant_code
    kept = Event.objects.exclude(session__participant__pilot=True).count()
    assert len(trials) == kept and pilot not in {r["participant"] for r in trials}
    sessions = {(r["participant"], r["session"]) for r in trials}
    regular, quitter = study_data["regular"].participant_code, study_data["quitter"].participant_code
    assert sessions == {(regular, "1"), (regular, "2"), (quitter, "1")}
    assert versions_of(response)["sessions"] == "all"


def test_the_options_override_the_defaults_and_session_numbers_do_not_move(cast, study_data):
    client = api_client_for(cast["analyst"], ALPHA)
    everything = rows_of(client.get("/api/v1/export/?format=balloons&finished_only=false&include_pilots=true"))
    codes = {r["participant"] for r in everything}
    assert study_data["pilot"].participant_code in codes and study_data["quitter"].participant_code in codes
    regular = study_data["regular"].participant_code
    # The open second session is still number 2 when the first is left out, and vice versa.
    assert {r["session"] for r in everything if r["participant"] == regular} == {"1", "2"}
    finished_trials = rows_of(client.get("/api/v1/export/?format=csv&finished_only=true"))
    assert {r["session"] for r in finished_trials if r["participant"] == regular} == {"1"}


def test_the_hbayesdm_subject_is_one_sequence_per_participant_session_and_colour(cast, study_data):
    rows = rows_of(api_client_for(cast["analyst"], ALPHA).get("/api/v1/export/?format=hbayesdm"), "\t")
    assert list(rows[0])[:3] == ["subjID", "pumps", "explosion"]  # hBayesDM's required columns first
    regular = study_data["regular"].participant_code
    subjects = [r["subjID"] for r in rows]
    expected = [f"{regular}_s1_{colour}" for colour in ("blue", "orange", "yellow")]
    assert sorted(set(subjects)) == expected  # the unfinished session and the pilot are left out
    # Each sequence is contiguous and holds only its own colour, 4 balloons each, in play order.
    assert [s for i, s in enumerate(subjects) if i == 0 or subjects[i - 1] != s] == expected
    for row in rows:
        assert row["subjID"] == f"{row['participant']}_s{row['session']}_{row['color']}"
    assert all(subjects.count(s) == 4 for s in expected)
    orange = [r for r in rows if r["color"] == "orange"]
    assert all(0 <= int(r["pumps"]) <= 8 for r in orange)  # 8-pump balloons: never more pumps than that


def test_the_hbayesdm_pumps_follow_the_balloons_of_each_colour_in_play_order(cast, study_data):
    from games.models import Balloon

    rows = rows_of(api_client_for(cast["analyst"], ALPHA).get("/api/v1/export/?format=hbayesdm"), "\t")
    for colour in ("orange", "yellow", "blue"):
        played = Balloon.objects.filter(session=study_data["finished"], color=colour).order_by("index")
        exported = [(int(r["pumps"]), int(r["explosion"])) for r in rows if r["color"] == colour]
        assert exported == [(b.pumps, 1 if b.outcome == "popped" else 0) for b in played]


def test_the_psychds_description_dictionary_and_readme_say_which_sessions_are_included(cast, study_data):
    response = api_client_for(cast["analyst"], ALPHA).get("/api/v1/export/?format=psychds&include_pilots=true")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    description = json.loads(archive.read("dataset_description.json"))
    properties = {p["name"]: p["value"] for p in description["additionalProperty"]}
    assert properties["sessions"] == "finished" and properties["pilot_participants"] == "included"
    assert "Only finished sessions" in description["description"]
    assert "Pilot participants (who joined while the study was piloting) are included." in description["description"]
    dictionary = list(csv.DictReader(io.StringIO(archive.read("data_dictionary.csv").decode())))
    session_rows = [r for r in dictionary if r["column"] == "session"]
    assert session_rows and all("finished sessions only" in r["description"] for r in session_rows)
    assert "Only finished sessions" in archive.read("README.md").decode()
    subjects = {n for n in archive.namelist() if "_subject-" in n}
    assert len(subjects) == 2  # the regular participant's finished session and the pilot's


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("finished_only=maybe", "finished_only"),
        ("include_pilots=yes", "include_pilots"),
        ("finished_only=", "finished_only"),
    ],
)
def test_a_bad_option_is_a_machine_readable_400_naming_it(cast, in_alpha, query, field):
    response = api_client_for(cast["analyst"], ALPHA).get(f"/api/v1/export/?format=balloons&{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid" and list(body["error"]["details"]) == [field]
    assert body["error"]["details"][field] == ["Must be true or false."]


@pytest.mark.parametrize("body", [{"finished_only": "sometimes"}, {"include_pilots": 1}, {"finished_only": None}])
def test_a_job_with_a_bad_option_is_refused_and_nothing_is_queued(cast, in_alpha, body):
    from dashboard.models import ExportJob

    response = api_client_for(cast["analyst"], ALPHA).post(
        "/api/v1/export/jobs/", {"format": "hbayesdm", **body}, format="json"
    )
    if body == {"finished_only": None}:  # null means "not given": the default
        assert response.status_code == 202 and response.json()["finished_only"] is True
        return
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["details"]) == set(body)
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "finished_only"), [("csv", False), ("balloons", True), ("hbayesdm", True), ("psychds", True)]
)
def test_a_job_records_its_formats_default_scope(cast, in_alpha, fmt, finished_only, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = api_client_for(cast["analyst"], ALPHA).post("/api/v1/export/jobs/", {"format": fmt}, format="json")
    assert response.status_code == 202
    assert (response.json()["finished_only"], response.json()["include_pilots"]) == (finished_only, False)


def test_a_job_keeps_the_options_asked_for_and_writes_only_that_data(
    cast, study_data, settings, tmp_path, django_capture_on_commit_callbacks
):
    from audit.models import AuditEntry
    from dashboard.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    client = api_client_for(cast["analyst"], ALPHA)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/export/jobs/",
            {"format": "hbayesdm", "finished_only": False, "include_pilots": True},
            format="json",
        )
    assert created.status_code == 202
    job = ExportJob.objects.get(pk=created.json()["id"])
    assert (job.finished_only, job.include_pilots, job.status) == (False, True, "done")
    assert job.versions["sessions"] == "all" and job.versions["pilot_participants"] == "included"
    body = b"".join(client.get(f"/api/v1/export/jobs/{job.pk}/download/").streaming_content).decode()
    subjects = {line.split("\t")[0] for line in body.splitlines()[1:]}
    assert f"{study_data['pilot'].participant_code}_s1_blue" in subjects
    assert f"{study_data['regular'].participant_code}_s2_orange" in subjects  # the open session
    assert job.rows_written == job.rows_total == len(body.splitlines()) - 1
    entry = AuditEntry.objects.get(event="export_job.create")
    assert entry.additional_data["sessions"] == "all" and entry.additional_data["pilot_participants"] == "included"


def test_the_exports_page_form_sends_the_ticked_options(cast, study_data, settings, tmp_path):
    from django.test import Client

    from dashboard.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    client = Client(HTTP_HOST=ALPHA)
    client.force_login(cast["analyst"])
    page = client.get("/dashboard/exports/").content.decode()
    assert "Leave out unfinished sessions" in page and "Include pilot participants" in page
    assert (
        'value="csv" data-finished-default="false"' in page and 'value="hbayesdm" data-finished-default="true"' in page
    )
    # Unticked boxes send only the hidden "false"; a ticked one sends "false" then "true".
    client.post("/dashboard/exports/", {"format": "balloons", "finished_only": "false", "include_pilots": "false"})
    client.post(
        "/dashboard/exports/",
        {"format": "csv", "finished_only": ["false", "true"], "include_pilots": ["false", "true"]},
    )
    jobs = list(ExportJob.objects.order_by("created_at").values_list("format", "finished_only", "include_pilots"))
    assert jobs == [("balloons", False, False), ("csv", True, True)]
    listed = client.get("/dashboard/exports/").content.decode()
    assert "all sessions, pilots left out" in listed and "finished sessions, pilots included" in listed
