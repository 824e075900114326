"""The compliance console: who gets in, what each officer sees, the CSV export and chain status."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import selectors
from audit.context import audit_actor
from audit.models import AuditEntry
from audit.services import audit_event
from tenants.membership import membership_grant


@pytest.fixture
def trails(cast, alpha, beta):
    for study, marker in ((alpha, "test.alpha_marker"), (beta, "test.beta_marker")):
        connection.set_tenant(study)
        audit_event(action=marker, details={"marker": marker})
        connection.set_schema_to_public()
    return cast


def _page(user, path: str, **params) -> object:
    client = Client(HTTP_HOST="localhost")
    if user is not None:
        client.force_login(user)
    return client.get(path, params)


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = _page(None, "/compliance/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("actor", ["outsider", "manager", "other_manager"])
def test_people_without_the_compliance_role_are_refused(trails, actor):
    assert _page(trails[actor], "/compliance/").status_code == 403
    assert _page(trails[actor], "/compliance/export.csv").status_code == 403


def test_an_officer_sees_only_the_studies_they_cover(trails):
    officer = trails["compliance"]
    html = _page(officer, "/compliance/").content.decode()
    assert "test.alpha_marker" in html and "test.beta_marker" not in html
    assert _page(officer, "/compliance/", study="beta").status_code == 404
    chains = _page(officer, "/compliance/chains/").content.decode()
    assert "alpha" in chains and "beta" not in chains and "BROKEN" not in chains


def test_an_officer_cannot_open_another_studys_entry(trails, beta):
    connection.set_tenant(beta)
    entry = AuditEntry.objects.get(event="test.beta_marker")
    connection.set_schema_to_public()
    assert _page(trails["compliance"], f"/compliance/entries/beta/{entry.pk}/").status_code == 404
    assert _page(trails["admin"], f"/compliance/entries/beta/{entry.pk}/").status_code == 200


def test_the_entry_page_shows_field_changes(trails, alpha):
    client = Client(HTTP_HOST="localhost")
    client.force_login(trails["manager"])
    client.patch("/api/v1/studies/alpha/", {"title": "A clearer title"}, content_type="application/json")
    entry = AuditEntry.objects.filter(event="tenants.study.update").order_by("-seq").first()
    html = _page(trails["compliance"], f"/compliance/entries/public/{entry.pk}/").content.decode()
    assert "Study alpha" in html and "A clearer title" in html and f"user:{trails['manager'].pk}" in html


def test_the_csv_export_streams_only_covered_entries_and_is_audited(trails):
    officer = trails["compliance"]
    response = _page(officer, "/compliance/export.csv")
    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["study"] for r in rows} == {"alpha"}
    assert "test.alpha_marker" in {r["action"] for r in rows}
    assert "test.beta_marker" not in {r["action"] for r in rows}
    seqs_by_chain: dict[str, list[int]] = {}
    for r in rows:
        seqs_by_chain.setdefault(r["chain"], []).append(int(r["seq"]))
    assert all(seqs == sorted(seqs) for seqs in seqs_by_chain.values())
    export = AuditEntry.objects.filter(event="audit_query").order_by("-seq").first()
    assert export.actor_id == officer.pk and export.additional_data["query"] == "export"


def test_search_filters_and_bad_input_on_the_console(trails):
    officer = trails["compliance"]
    html = _page(officer, "/compliance/", action="membership").content.decode()
    assert "membership.grant" in html and "test.alpha_marker" not in html
    bad = _page(officer, "/compliance/", since="last tuesday")
    assert bad.status_code == 200 and "Not understood" in bad.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_console_pages_are_read_only(trails, method):
    client = Client(HTTP_HOST="localhost")
    client.force_login(trails["compliance"])
    entry = AuditEntry.objects.order_by("-seq").first()
    for path in (
        "/compliance/",
        "/compliance/export.csv",
        "/compliance/chains/",
        f"/compliance/entries/public/{entry.pk}/",
    ):
        response = getattr(client, method)(path)
        assert response.status_code == 405, (method, path, response.status_code)


# --- What a compliance officer reads and types --------------------------------------------------


def _rows(html: str) -> list[dict[str, str]]:
    """The results table as {column label: visible text}, one dict per row."""
    rows = []
    for body in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>", 1)[-1], flags=re.S):
        cells = re.findall(r'<td[^>]*data-label="([^"]+)"[^>]*>(.*?)</td>', body, flags=re.S)
        if cells:
            rows.append({label: re.sub(r"<[^>]+>", "", text).strip() for label, text in cells})
    return rows


@pytest.fixture
def actions(trails, alpha):
    """The manager and the analyst each did something auditable in alpha."""
    connection.set_tenant(alpha)
    for who in ("manager", "analyst"):
        with audit_actor(trails[who]):
            audit_event(action=f"test.by_{who}")
    connection.set_schema_to_public()
    return trails


def test_actors_are_shown_by_username_resolved_in_one_query(actions):
    manager, analyst = actions["manager"], actions["analyst"]
    with CaptureQueriesContext(connection) as queries:
        html = _page(actions["compliance"], "/compliance/", action="test").content.decode()
    shown = {r["Action"]: r["Actor"] for r in _rows(html) if r["Action"].startswith("test.by_")}
    assert shown == {"test.by_manager": manager.username, "test.by_analyst": analyst.username}
    # One query names every actor of the page (the other reads of auth_user load the signed-in user whole).
    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if '"auth_user"."username"' in q["sql"] and '"auth_user"."password"' not in q["sql"]
    ]
    assert len(lookups) == 1, lookups


def test_a_task_keeps_its_label_behind_the_username_and_participants_keep_their_code(trails, alpha):
    connection.set_tenant(alpha)
    with audit_actor(trails["manager"], label=f"user:{trails['manager'].pk} via task:traits.process_session"):
        audit_event(action="test.queued")
    AuditEntry(event="test.played", action=1, actor_label="participant:P-AB12CD").save()
    connection.set_schema_to_public()
    shown = {r["Action"]: r["Actor"] for r in _rows(_page(trails["compliance"], "/compliance/").content.decode())}
    assert shown["test.queued"] == "t_manager via task:traits.process_session"
    assert shown["test.played"] == "participant:P-AB12CD"  # never resolved to anything else


@pytest.mark.parametrize("typed", ["t_manager", "T_MANAGER", "user:{pk}", "{pk}"])
def test_the_actor_filter_takes_a_username_in_any_case_or_an_id(actions, typed):
    manager = actions["manager"]
    html = _page(actions["compliance"], "/compliance/", actor=typed.format(pk=manager.pk)).content.decode()
    rows = _rows(html)
    assert "test.by_manager" in {r["Action"] for r in rows}
    assert {r["Actor"] for r in rows} == {manager.username}


def test_an_unknown_username_matches_nothing_and_label_prefixes_still_work(actions):
    officer = actions["compliance"]
    assert _rows(_page(officer, "/compliance/", actor="t_manag").content.decode()) == []
    system = _rows(_page(officer, "/compliance/", actor="system").content.decode())
    assert system and {r["Actor"] for r in system} == {"system"}


def test_a_search_by_username_records_the_user_id_never_the_name(actions):
    officer, manager = actions["compliance"], actions["manager"]
    _page(officer, "/compliance/", actor="T_Manager")
    entry = AuditEntry.objects.filter(event="audit_query", actor_id=officer.pk).order_by("-seq").first()
    assert entry.additional_data["filters"]["actor"] == f"user:{manager.pk}"
    assert "manager" not in str(entry.chain_content()).lower().replace("user:", "")
    _page(officer, "/compliance/", actor="grace.hopper")
    unknown = AuditEntry.objects.filter(event="audit_query", actor_id=officer.pk).order_by("-seq").first()
    assert unknown.additional_data["filters"]["actor"] == "(no such user)"
    assert "grace" not in str(unknown.chain_content())


def test_the_officers_own_searches_are_left_out_until_asked_for_and_still_logged(trails, alpha, django_user_model):
    officer = trails["compliance"]
    colleague = django_user_model.objects.create_user("t_colleague", password="pw-colleague-123")
    membership_grant(study=alpha, user=colleague, role="compliance")
    for _ in range(3):
        _page(officer, "/compliance/", study="alpha")
    _page(colleague, "/compliance/", study="alpha")
    logged = AuditEntry.objects.filter(event="audit_query", actor_id=officer.pk).count()
    assert logged == 3  # every search is recorded, shown or not

    queries = [
        r for r in _rows(_page(officer, "/compliance/").content.decode()) if r["Action"].startswith("audit_query")
    ]
    assert {r["Actor"] for r in queries} == {"t_colleague"}  # a colleague's searches are shown
    html = _page(officer, "/compliance/", include_own_queries="1").content.decode()
    mine = [r for r in _rows(html) if r["Action"].startswith("audit_query") and r["Actor"] == "t_compliance"]
    assert len(mine) == 4  # the three, and the one just before this page (the page's own comes after)
    assert 'name="include_own_queries" value="1" checked' in html
    assert AuditEntry.objects.filter(event="audit_query", actor_id=officer.pk).count() == 5


def test_the_api_leaves_out_the_callers_own_queries_too(trails):
    from tests.conftest import api_client_for

    client = api_client_for(trails["compliance"], "localhost")
    client.get("/api/v1/audit/", {"study": "alpha"})
    own = client.get("/api/v1/audit/", {"action": "audit_query"}).json()
    assert own["count"] == 0
    asked = client.get("/api/v1/audit/", {"action": "audit_query", "include_own_queries": "true"}).json()
    assert asked["count"] >= 2 and {r["actor"]["username"] for r in asked["results"]} == {"t_compliance"}


def test_dates_are_whole_days_inclusive_in_the_server_time_zone(actions):
    officer = actions["compliance"]
    today = timezone.localdate()
    for since, until, found in (
        (today, today, True),
        (today - timedelta(days=3), today - timedelta(days=1), False),
        (today + timedelta(days=1), None, False),
    ):
        params = {"action": "test.by_manager", "since": since.isoformat(), "until": until.isoformat() if until else ""}
        assert bool(_rows(_page(officer, "/compliance/", **params).content.decode())) is found, params


@override_settings(TIME_ZONE="Pacific/Auckland")
def test_a_plain_date_is_read_in_the_server_time_zone_and_iso_date_times_still_work():
    f = selectors.parse_filters({"since": "2025-01-31", "until": "2025-01-31"})
    assert f.since.isoformat() == "2025-01-31T00:00:00+13:00"
    assert f.until.isoformat() == "2025-01-31T23:59:59.999999+13:00"
    exact = selectors.parse_filters({"since": "2025-01-31T12:00:00Z", "until": "2025-02-28T18:00"})
    assert exact.since == datetime(2025, 1, 31, 12, tzinfo=UTC)
    assert exact.until.isoformat() == "2025-02-28T18:00:00+13:00"


def test_an_unreadable_date_keeps_every_typed_value_and_says_what_is_wrong_beside_it(actions):
    officer = actions["compliance"]
    before = AuditEntry.objects.filter(event="audit_query").count()
    html = _page(officer, "/compliance/", actor="t_manager", action="test.by", since="last tuesday").content.decode()
    assert 'name="actor" value="t_manager"' in html and 'name="action" value="test.by"' in html
    # Shown as text, not in a date picker (which would blank it), marked and described by its error.
    assert 'id="f-since" name="since" type="text" value="last tuesday"' in html
    assert 'aria-describedby="h-dates e-since" aria-invalid="true"' in html
    assert re.search(r'id="e-since">“last tuesday” is not a date', html)
    assert _rows(html) == []  # nothing searched, nothing shown as if it matched
    assert AuditEntry.objects.filter(event="audit_query").count() == before


def test_the_date_filters_are_date_pickers(trails):
    html = _page(trails["compliance"], "/compliance/", since="2025-01-31").content.decode()
    assert 'name="since" type="date" value="2025-01-31"' in html and 'name="until" type="date" value=""' in html
    assert "Whole days, both included, in UTC (the server's time zone)." in html


@pytest.mark.parametrize("page", ["console", "chains", "entry"])
def test_every_console_page_has_the_account_bar_one_nav_and_the_console_stylesheet(trails, page):
    entry = AuditEntry.objects.order_by("-seq").first()
    path = {"console": "/compliance/", "chains": "/compliance/chains/"}.get(
        page, f"/compliance/entries/public/{entry.pk}/"
    )
    html = _page(trails["admin"], path).content.decode()
    assert "Sign out" in html and 'class="rp-account"' in html
    nav = html.split('<nav class="au-nav" aria-label="Compliance console">', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r">([^<>]+)</a>", nav) == ["Console", "Chains", "Export CSV"]
    assert "/static/compliance/console.css" in html
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)
    assert current == {"console": ["Console"], "chains": ["Chains"], "entry": []}[page]


def test_the_csv_names_the_actor_by_username_beside_the_stored_label(actions):
    response = _page(actions["compliance"], "/compliance/export.csv", actor="t_analyst")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows and {(r["actor_username"], r["actor_label"]) for r in rows} == {
        ("t_analyst", f"user:{actions['analyst'].pk}")
    }
