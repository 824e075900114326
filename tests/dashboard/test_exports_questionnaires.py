"""Exports of the flow and the questionnaires: the participants, scores and item-response tables, the
free-text rule (withheld unless the questionnaire allows it and the export asks for it), pilots left
out, Psych-DS's dictionary, and the condition and flow version in every export table."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from tests.conftest import api_client_for
from tests.questionnaires.support import FREE_TEXT, answered, questionnaire_flow

ALPHA = "alpha.localhost"


def table(user, query: str, delimiter: str = ","):
    response = api_client_for(user, ALPHA).get(f"/api/v1/export/?{query}")
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content)
    return response, body


def rows_of(user, query: str, delimiter: str = ",") -> list[dict[str, str]]:
    _, body = table(user, query)
    return list(csv.DictReader(io.StringIO(body.decode()), delimiter=delimiter))


@pytest.fixture
def answers(cast, alpha, alpha_client, in_alpha):
    """Two participants and a pilot who answered ``mood`` (v1, free text not exportable) in the flow."""
    questionnaire = questionnaire_flow(alpha)
    first, first_response = answered(alpha, alpha_client)
    second, _ = answered(alpha, alpha_client)
    pilot, _ = answered(alpha, alpha_client, pilot=True)
    unsubmitted, _ = answered(alpha, alpha_client, submit=False)
    return {
        "questionnaire": questionnaire,
        "first": first,
        "first_response": first_response,
        "second": second,
        "pilot": pilot,
        "unsubmitted": unsubmitted,
    }


def test_the_scores_table_has_one_row_per_submitted_response_and_scale(cast, answers):
    from flows.models import ParticipantFlow

    rows = rows_of(cast["analyst"], "format=scores")
    codes = {answers["first"].code, answers["second"].code}
    assert {r["participant"] for r in rows} == codes  # no pilot, no unsubmitted response
    assert len(rows) == 4  # two responses x (ext + its subscale)
    first = [r for r in rows if r["participant"] == answers["first"].code]
    scale, sub = first
    condition = ParticipantFlow.objects.get(participant=answers["first"].participant).condition
    assert scale == scale | {
        "questionnaire": "mood",
        "questionnaire_version": "1",
        "questionnaire_sha256": answers["questionnaire"].sha256,
        "flow_version": "1",
        "flow_session": "1",
        "flow_step": "q1",
        "condition": condition,
        "scale": "ext",
        "subscale": "0",
        "parent_scale": "",
        "answered": "3",
        "items": "3",
        "reason": "",
        "scoring_version": "1.0.0",
        "attention_passed": "1",
        "attention_failed": "0",
    }
    assert float(scale["score"]) == pytest.approx((4 + 5 + (6 - 2)) / 3)  # e3 is reverse-keyed
    assert (sub["scale"], sub["subscale"], sub["parent_scale"], float(sub["score"])) == ("ext-lead", "1", "ext", 4.5)
    with_pilots = rows_of(cast["analyst"], "format=scores&include_pilots=true")
    assert answers["pilot"].code in {r["participant"] for r in with_pilots} and len(with_pilots) == 6


def test_item_responses_join_lists_keep_the_last_rt_count_changes_and_withhold_free_text(cast, answers):
    rows = rows_of(cast["analyst"], "format=item_responses")
    mine = {r["item"]: r for r in rows if r["participant"] == answers["first"].code}
    assert list(mine) == ["e1", "e2", "e3", "hobbies", "att", "comment"]  # the definition's order
    assert (mine["e1"]["value"], mine["e1"]["rt_ms"], mine["e1"]["answer_changes"]) == ("4", "450.0", "1")
    assert (mine["e2"]["answer_changes"], mine["e2"]["item_type"]) == ("0", "likert")
    assert mine["hobbies"]["value"] == "read;run"
    assert mine["att"]["value"] == "b" and mine["att"]["withheld"] == ""
    assert (mine["comment"]["value"], mine["comment"]["withheld"], mine["comment"]["item_type"]) == (
        "",
        "free_text",
        "text",
    )
    assert mine["comment"]["condition"] and mine["comment"]["flow_version"] == "1"
    _, body = table(cast["analyst"], "format=item_responses&include_free_text=true")
    assert FREE_TEXT.encode() not in body  # the questionnaire does not allow its free text out
    assert answers["pilot"].code not in {r["participant"] for r in rows}


@pytest.mark.parametrize(
    ("allowed", "asked", "exported"),
    [(False, False, False), (True, False, False), (False, True, False), (True, True, True)],
)
def test_free_text_comes_out_only_with_both_switches(cast, alpha, alpha_client, allowed, asked, exported):
    questionnaire_flow(alpha, export_free_text=allowed)
    answered(alpha, alpha_client)
    query = "format=item_responses" + ("&include_free_text=true" if asked else "")
    response, body = table(cast["analyst"], query)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    comment = next(r for r in rows if r["item"] == "comment")
    assert (comment["value"] == FREE_TEXT) is exported
    assert comment["withheld"] == ("" if exported else "free_text")
    assert ("free_text=where_allowed" in response["X-Export-Versions"]) is asked
    # The Psych-DS zip follows the same rule.
    _, zipped = table(cast["analyst"], "format=psychds" + ("&include_free_text=true" if asked else ""))
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    items = next(n for n in archive.namelist() if "description-items" in n)
    assert (FREE_TEXT in archive.read(items).decode()) is exported


def test_the_participants_table_names_condition_label_version_and_assignment(cast, answers):
    from flows.models import ParticipantFlow

    rows = {r["participant"]: r for r in rows_of(cast["analyst"], "format=participants")}
    assert answers["pilot"].code not in rows
    flow = ParticipantFlow.objects.get(participant=answers["first"].participant)
    row = rows[answers["first"].code]
    label = {"warm": "Warm framing", "cold": "Cold framing"}[flow.condition]
    assert row == row | {
        "pilot": "0",
        "condition": flow.condition,
        "condition_label": label,
        "flow_version": "1",
        "assignment_block": str(flow.assignment["block"]),
        "assignment_position": str(flow.assignment["position"]),
        "assignment_number": str(flow.assignment["number"]),
    }
    pilots = rows_of(cast["analyst"], "format=participants&include_pilots=true")
    assert answers["pilot"].code in {r["participant"] for r in pilots}


def test_psychds_holds_the_new_tables_with_every_column_described(cast, answers):
    _, body = table(cast["analyst"], "format=psychds")
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    description = json.loads(archive.read("dataset_description.json"))
    measured = {v["name"]: v for v in description["variableMeasured"]}
    new_files = [n for n in names if any(f"description-{k}_" in n for k in ("participants", "scores", "items"))]
    assert len(new_files) == 3
    for name in new_files:
        header = archive.read(name).decode().splitlines()[0].split(",")
        assert set(header) <= set(measured), (name, set(header) - set(measured))
        assert {"participant", "condition", "flow_version"} <= set(header)
    assert measured["rt_ms"]["unitText"] == "ms"
    # The scales: what they are, their source and the scoring version.
    assert "1.0.0" in measured["scale"]["description"] and "source custom" in measured["scale"]["description"]
    assert "ext-lead = Leading" in measured["scale"]["description"]
    dictionary = list(csv.DictReader(io.StringIO(archive.read("data_dictionary.csv").decode())))
    assert {r["column"] for r in dictionary} == set(measured)
    described = {(r["file"], r["column"]) for r in dictionary}
    for name in new_files:
        header = archive.read(name).decode().splitlines()[0].split(",")
        assert {(name, c) for c in header} <= described
    scores = next(n for n in new_files if "description-scores" in n)
    codes = {r["participant"] for r in csv.DictReader(io.StringIO(archive.read(scores).decode()))}
    assert codes == {answers["first"].code, answers["second"].code}
    versions = {p["name"]: p["value"] for p in description["additionalProperty"]}
    assert versions["questionnaires"] == "mood@1" and versions["scoring"] == "1.0.0"
    assert versions["free_text"] == "withheld"


def test_every_game_table_carries_condition_flow_version_and_flow_session(cast, in_alpha):
    from games.models import GameSession
    from tests.dashboard.support import simulated_participants

    (session,) = simulated_participants(1, balloons=3)
    GameSession.objects.filter(pk=session.pk).update(condition="warm", flow_version=2, flow_session=1, flow_step="g")
    for fmt, delimiter in (("csv", ","), ("balloons", ","), ("hbayesdm", "\t")):
        rows = rows_of(cast["analyst"], f"format={fmt}", delimiter=delimiter)
        assert rows and all((r["condition"], r["flow_version"], r["flow_session"]) == ("warm", "2", "1") for r in rows)
    _, body = table(cast["analyst"], "format=psychds")
    archive = zipfile.ZipFile(io.BytesIO(body))
    for name in (n for n in archive.namelist() if n.startswith("data/")):
        header = archive.read(name).decode().splitlines()[0].split(",")
        assert {"condition", "flow_version"} <= set(header), name
        if "description-participants" not in name:
            assert "flow_session" in header, name
    traits = next(n for n in archive.namelist() if "description-traits" in n)
    (profile,) = csv.DictReader(io.StringIO(archive.read(traits).decode()))
    assert (profile["condition"], profile["flow_version"], profile["flow_session"]) == ("warm", "2", "1")


def test_an_export_job_records_the_free_text_option(cast, answers, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api_client_for(cast["analyst"], ALPHA)
    created = client.post("/api/v1/export/jobs/", {"format": "scores", "include_free_text": True}, format="json")
    assert created.status_code == 202, created.content
    assert created.json()["include_free_text"] is True
    refused = client.post("/api/v1/export/jobs/", {"format": "scores", "include_free_text": "maybe"}, format="json")
    assert refused.status_code == 400 and "include_free_text" in refused.json()["error"]["details"]


def test_the_questionnaire_tables_count_their_rows_for_the_progress_bar(cast, answers):
    from dashboard.export_formats import default_scope
    from dashboard.exports import count_rows, export_stream

    for fmt in ("participants", "scores", "item_responses"):
        chunks, _ = export_stream(fmt, study_slug="alpha", study_title="A")
        written = "".join(chunks).count("\n") - 1
        assert count_rows(fmt, default_scope(fmt)) == written, fmt


def test_erased_participants_are_in_no_questionnaire_table(cast, answers):
    from pseudonymization.models import Participant

    gone = answers["first"]
    Participant.objects.filter(pk=gone.participant.pk).update(status=Participant.Status.ERASED)
    for fmt in ("participants", "scores", "item_responses"):
        rows = rows_of(cast["analyst"], f"format={fmt}&include_pilots=true")
        assert rows and gone.code not in {r["participant"] for r in rows}, fmt
