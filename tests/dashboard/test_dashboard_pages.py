"""The dashboard pages: who may see them, what they show, and a fixed number of queries whatever the size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.dashboard.support import simulated_participants

PAGES = ["/dashboard/", "/dashboard/participants/", "/dashboard/participants/P-2222-2222/", "/dashboard/exports/"]


def login(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("page", "expect"),
    [
        ("/dashboard/", {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200}),
        ("/dashboard/participants/", {"admin": 200, "manager": 200, "analyst": 200, "viewer": 200}),
        # An unknown code is not found for everyone who may look.
        ("/dashboard/participants/P-2222-2222/", {"admin": 404, "manager": 404, "analyst": 404, "viewer": 404}),
        ("/dashboard/exports/", {"admin": 200, "manager": 200, "analyst": 200}),
    ],
)
@pytest.mark.parametrize("actor", ["admin", "manager", "analyst", "viewer", "compliance", "outsider", "other_manager"])
def test_each_page_lets_in_exactly_the_roles_that_hold_its_permission(cast, page, expect, actor):
    status = login(cast[actor]).get(page).status_code
    refused = 404 if actor in ("outsider", "other_manager") else 403
    assert status == expect.get(actor, refused)


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_a_participant_cookie_does_not_help(db, alpha, page):
    client = login(None)
    client.cookies["participant_token"] = "not-a-researcher"
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_dashboard_shows_the_funnel_in_progress_sessions_and_distributions(cast, in_alpha):
    sessions = simulated_participants(4, balloons=12, leave_open=1)
    page = login(cast["viewer"]).get("/dashboard/").content.decode()
    assert "consented: 4; started: 4; completed: 3" in page
    open_code = sessions[-1].participant.participant_code
    assert open_code in page.split("Sessions in progress")[1].split("Data quality")[0]
    assert "Histogram of 3 values of adjusted average pumps" in page
    assert page.count("<svg") == 3 + 5  # funnel, two distributions, five trait dimensions
    assert "Histogram of 3 values of z score" in page  # every completed session was profiled


def test_the_dashboard_and_participant_list_run_a_fixed_number_of_queries(cast, in_alpha):
    client = login(cast["viewer"])

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    simulated_participants(2, balloons=6, leave_open=1)
    small = (queries("/dashboard/"), queries("/dashboard/participants/"))
    simulated_participants(5, seed="more", balloons=6, leave_open=2)
    assert (queries("/dashboard/"), queries("/dashboard/participants/")) == small


def test_the_participant_page_shows_the_profile_and_a_replay_of_every_balloon(cast, in_alpha):
    (session,) = simulated_participants(1, balloons=11)
    code = session.participant.participant_code
    client = login(cast["viewer"])
    page = client.get(f"/dashboard/participants/{code}/").content.decode()
    assert "Risk tolerance" in page and "cautious" in page and "risk-seeking" in page
    assert page.count("<circle") >= 11 + 1  # the replay's endings and at least one scored position
    assert "11 balloons over" in page  # the replay's description
    assert "1 hidden periods" in page  # the simulator hides the tab on the 11th balloon
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/dashboard/participants/{code}/?session={session.pk}")
    # A constant: the model panels read each model's session fits and study-level estimate (2 x 2);
    # the design and questionnaire sections read the participant's flow and responses (2).
    assert len(ctx.captured_queries) <= 22


def test_the_participant_list_never_shows_identifiers(cast, in_alpha):
    from pseudonymization.services import participant_enrol

    participant = participant_enrol(external_id="PROLIFIC-5f3a9c")
    page = login(cast["viewer"]).get("/dashboard/participants/").content.decode()
    assert participant.participant_code in page and "PROLIFIC-5f3a9c" not in page
