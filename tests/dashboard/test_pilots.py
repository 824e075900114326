"""Pilot participants: marked when they join a piloting study, listed with a marker, and left out of
the dashboard's counts and charts and of exports unless asked for; the migrations that add the marks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import api_client_for
from tests.dashboard.support import simulated_participants

ALPHA = "alpha.localhost"


def login(user) -> Client:
    client = Client(HTTP_HOST=ALPHA)
    client.force_login(user)
    return client


def agree(study, status: str):
    """Join ``study`` through the consent service while it has ``status``."""
    from consent.selectors import consent_document_current
    from consent.services import consent_document_draft, consent_document_publish, consent_give

    study.status = status
    study.save(update_fields=["status"])
    document = consent_document_current() or consent_document_publish(
        document=consent_document_draft(version="1.0", title="Consent", body="You may stop at any time.")
    )
    return consent_give(version=document.version, sha256=document.sha256, method="web").participant


def test_who_joins_while_the_study_is_piloting_is_marked_a_pilot_and_stays_one(in_alpha):
    piloting = agree(in_alpha, "piloting")
    recruiting = agree(in_alpha, "recruiting")
    piloting.refresh_from_db()
    assert (piloting.pilot, recruiting.pilot) == (True, False)  # recruiting later does not unmark the first


def test_a_pilot_sees_the_mark_in_their_own_data(in_alpha):
    from rights.selectors import participant_data

    pilot = agree(in_alpha, "piloting")
    assert participant_data(participant=pilot, external_id=None)["participant"]["pilot"] is True


def test_a_pilot_with_a_panel_id_is_marked_too(in_alpha):
    from pseudonymization.services import participant_enrol

    first = participant_enrol(external_id="PROLIFIC-pilot-1", pilot=True)
    again = participant_enrol(external_id="PROLIFIC-pilot-1", pilot=True)
    assert first.pilot and again.pilot and again.duplicate_of_id == first.pk


def mark_pilots(sessions) -> list[str]:
    from pseudonymization.models import Participant

    Participant.objects.filter(sessions__in=sessions).update(pilot=True)
    return [s.participant.participant_code for s in sessions]


def test_the_dashboard_leaves_pilots_out_of_its_counts_and_charts_and_says_so(cast, in_alpha):
    sessions = simulated_participants(5, balloons=6, leave_open=1)
    pilot_codes = mark_pilots([sessions[0], sessions[-1]])  # a finished pilot and one still playing
    page = login(cast["viewer"]).get("/dashboard/").content.decode()
    assert "consented: 3; started: 3; completed: 3" in page
    assert "Histogram of 3 values of adjusted average pumps" in page
    assert "2 pilot participants (joined while the study was piloting) are left out" in page
    assert not any(code in page for code in pilot_codes)  # not among the sessions in progress either
    assert 'Sessions in progress <span class="rp-count">0</span>' in page


def test_the_dashboard_selectors_leave_pilots_out(cast, in_alpha):
    from dashboard import selectors

    sessions = simulated_participants(3, balloons=6)
    mark_pilots(sessions[:1])
    assert dict(selectors.funnel_counts())["consented"] == 2
    assert len(selectors.session_distributions()["explosions"]) == 2
    assert all(len(t["values"]) <= 2 for t in selectors.trait_distributions())
    assert selectors.pilot_participants_count() == 1
    mark_pilots(sessions)  # everyone a pilot: nothing left to count or chart
    assert dict(selectors.funnel_counts())["consented"] == 0
    assert selectors.session_distributions() == {"adjusted_pumps": [], "explosions": []}
    assert all(t["values"] == [] for t in selectors.trait_distributions())
    assert selectors.quality_flag_counts() == {} and selectors.flagged_sessions() == []


def test_the_participant_list_and_page_show_pilots_with_a_marker(cast, in_alpha):
    sessions = simulated_participants(2, balloons=4, process=False)
    (pilot,) = mark_pilots(sessions[:1])
    client = login(cast["viewer"])
    listing = client.get("/dashboard/participants/").content.decode()
    row = next(line for line in listing.splitlines() if pilot in line)
    assert 'class="rp-flag rp-pilot"' in row and ">pilot</span>" in row
    other = sessions[1].participant.participant_code
    assert "rp-pilot" not in next(line for line in listing.splitlines() if other in line)
    detail = client.get(f"/dashboard/participants/{pilot}/").content.decode()
    assert ">pilot</span></h1>" in detail and "A pilot participant: joined while the study was piloting" in detail


def test_exports_leave_pilots_out_unless_asked(cast, in_alpha):
    sessions = simulated_participants(2, balloons=3, process=False)
    (pilot,) = mark_pilots(sessions[:1])
    client = api_client_for(cast["analyst"], ALPHA)
    for fmt in ("csv", "balloons", "hbayesdm"):
        default = b"".join(client.get(f"/api/v1/export/?format={fmt}").streaming_content).decode()
        asked = b"".join(client.get(f"/api/v1/export/?format={fmt}&include_pilots=true").streaming_content).decode()
        assert pilot not in default and pilot in asked, fmt


def test_the_setup_checklist_says_pilots_are_marked_and_left_out(cast, in_alpha):
    agree(in_alpha, "piloting")
    page = login(cast["manager"]).get("/manage/setup/").content.decode()
    assert "marked as a pilot participant and left out of exports and of the dashboard&#x27;s counts and charts" in page
    assert "1 participant(s) have joined (1 of them pilot participants)." in page
    assert "everyone who joins now is marked as a pilot participant and left out of exports and charts" in page


@pytest.mark.parametrize(
    ("app", "before", "after", "table", "columns"),
    [
        ("pseudonymization", "0002_duplicate_enrolment", "0003_participant_pilot", "participant", {"pilot": False}),
        (
            "dashboard",
            "0001_initial",
            "0002_exportjob_scope",
            "exportjob",
            {"finished_only": False, "include_pilots": True},
        ),
    ],
)
def test_the_migrations_give_existing_rows_what_they_were(in_alpha, app, before, after, table, columns):
    """Rows from before: participants were not pilots; jobs held every session and every participant."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([(app, before)])
    with connection.cursor() as cursor:
        if app == "dashboard":
            cursor.execute(
                "INSERT INTO dashboard_exportjob (id, format, status, rows_total, rows_written, file_name, size_bytes,"
                " versions, error, created_at) VALUES (gen_random_uuid(), 'csv', 'done', 1, 1, '', 0, '{}', '', now())"
            )
        else:
            cursor.execute(
                "INSERT INTO pseudonymization_participant (participant_code, status, created_at, crypto_version)"
                " VALUES ('P-OLD0-0001', 'active', now(), 'x')"
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks would block the ALTER TABLE
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([(app, after)])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {app}_{table}")
        assert cursor.fetchall() == [tuple(columns.values())]
        # No default is left in the database for the job's scope: new rows must say what they hold.
        cursor.execute(
            "SELECT column_name, column_default FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s AND column_name = ANY(%s)",
            [f"{app}_{table}", list(columns)],
        )
        assert {name: default for name, default in cursor.fetchall()} == {name: None for name in columns}


def test_my_studies_counts_participants_without_the_pilots_and_names_the_pilots(cast, in_alpha):
    from django.conf import settings

    from games.services import session_start
    from tests.conftest import host_client

    session_start(participant=agree(in_alpha, "piloting"), seed="pilot-playing")
    agree(in_alpha, "recruiting")
    session_start(participant=agree(in_alpha, "recruiting"), seed="playing")
    connection.set_schema_to_public()
    client = host_client(settings.PLATFORM_DOMAIN)
    client.force_login(cast["manager"])
    page = client.get("/").content.decode()
    assert '<dt>Participants</dt><dd>2 <span class="rp-muted">+ 1 pilot</span></dd>' in page
    assert "<dt>Sessions in progress</dt><dd>1</dd>" in page  # the pilot's session left out


def test_pilots_are_no_part_of_the_study_norms_nor_of_the_study_level_fit(in_alpha):
    """Both describe the study's participants; the team trying it while piloting is not one of them."""
    from pseudonymization.models import Participant
    from tests.traits.test_colours_and_norms import fake_profiles
    from traits import mapping
    from traits.services import study_norms_compute
    from traits.study_fits import study_fit_sample

    people = fake_profiles(mapping.MIN_STUDY_NORMS + 2, risk_values=[float(v) for v in range(32)])
    Participant.objects.filter(pk=people[-1].pk).update(pilot=True)
    risk = study_norms_compute().reference["risk_tolerance"]
    assert 31.0 not in risk["values"] and len(risk["values"]) == mapping.MIN_STUDY_NORMS + 1

    sessions = simulated_participants(2, balloons=6)
    mark_pilots(sessions[:1])
    sampled = {member.session_id for member in study_fit_sample()}
    assert sessions[1].pk in sampled and sessions[0].pk not in sampled
