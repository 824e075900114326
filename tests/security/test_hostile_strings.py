"""Hostile strings and numbers in every participant-supplied field: refused (4xx, not echoed) or stored
exactly and shown escaped on every page, as JSON strings by the API and formula-safe in CSV exports.

Fields: external id (API and panel link/HTML form), client_info keys and values, event `data`,
withdrawal reason (API, /withdraw/ page, /my-data/), /my-data/ sign-in and action fields.
Participants cannot give a reason for a deletion request (the endpoint takes no body).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django_tenants.utils import tenant_context

from consent.models import ConsentRecord
from games.models import GameSession
from games.simulate import TargetPolicy, simulate_session
from tests.conftest import api_client_for, enrolled
from tests.consent.support import bearer, enrol, publish
from tests.security.flow import _hidden_fields
from tests.security.hostile_support import (
    MUST_REFUSE,
    NUMBERS,
    STRINGS,
    assert_refusal,
    assert_safe_html,
    deep,
    json_body,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _post_json(client: Client, path: str, payload: Any, token: str | None = None) -> Any:
    extra = bearer(token) if token else {}
    return client.post(path, json_body(payload), content_type="application/json", **extra)


def _events(session: dict, value: Any, field: str) -> list[dict]:
    """A valid opening of the session, then one event whose `data` field carries the hostile value."""
    played = simulate_session(session["balloons"], TargetPolicy(target=3), seed=f"hostile-{field}", balloons=1)
    events = [dict(e) for e in played.events[:-1]]
    hostile = dict(events[1], event_id="6f1e6a52-8c1b-4d8e-9a57-0c5b2f6d9e01", seq=len(events) + 5)
    hostile["data"] = {**hostile["data"], field: value}
    return [*events, hostile]


def _cells(text: str, delimiter: str = ",") -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


@pytest.mark.parametrize("name", list(STRINGS))
def test_a_hostile_string_in_every_field_is_refused_or_stored_and_rendered_safely(name, alpha, cast):
    value = STRINGS[name]
    host = alpha.domain_name
    document = publish(alpha)
    api = Client(HTTP_HOST=host)

    # 1. External id through the API: stored (NFKC, as for every id) or refused without an echo.
    created = enrol(api, document, external_id=value)
    if created.status_code in (200, 201):
        code, token = created.json()["participant_code"], created.json()["token"]
        own = api.get("/api/v1/me/data/", **bearer(token)).json()
        assert own["participant"]["external_id"] == unicodedata.normalize("NFKC", value).strip()
    else:
        assert_refusal(created, value)
        person = enrolled(alpha, api, document=document)
        code, token = person.code, person.token

    # 2. client_info keys and values: stored exactly (keys cut at 40 characters, as documented);
    # a value over 256 characters is refused whole, naming the field, never echoing it.
    kept = value[:256]
    if kept != value:
        too_long = {"client_info": {value: value, "ua": value, "n": 1e308, "z": -0.0}}
        assert_refusal(_post_json(api, "/api/v1/game/sessions/", too_long, token), value)
    info_body = {"client_info": {value: kept, "ua": kept, "n": 1e308, "z": -0.0}}
    start = _post_json(api, "/api/v1/game/sessions/", info_body, token)
    assert start.status_code == 201
    session = start.json()
    with tenant_context(alpha):
        info = GameSession.objects.get(pk=session["session_id"]).client_info
    # jsonb keeps numbers as decimals: 1e308 comes back as the integer 10**308, the same number.
    assert float(info.pop("n")) == 1e308
    assert info == {value[:40]: kept, "ua": kept, "z": 0.0}

    # 3. Event data strings: the schema refuses them per event, naming the rule, never the value.
    url = f"/api/v1/game/sessions/{session['session_id']}/events/"
    for field in ("color", "kind", value[:40]):
        answer = _post_json(api, url, {"sent_at": 1_732_521_700_000, "events": _events(session, value, field)}, token)
        assert answer.status_code == 200
        body = answer.json()
        assert len(body["rejected"]) == 1 and body["rejected"][0]["code"] == "invalid_field"
        assert value not in answer.content.decode() and json_body(value)[1:-1] not in answer.content.decode()

    # 4. Researchers see all of it: pages escaped, API as JSON, CSV formula-safe.
    pages = Client(HTTP_HOST=host)
    pages.force_login(cast["manager"])
    for path in (
        "/dashboard/",
        "/dashboard/participants/",
        f"/dashboard/participants/{code}/",
        f"/dashboard/participants/{code}/?session={session['session_id']}",
        "/manage/",
        "/manage/members/",
        "/manage/consent/",
        "/manage/deletion-requests/",
    ):
        assert assert_safe_html(pages.get(path)).strip(), path
    analyst = api_client_for(cast["analyst"], host)
    for path in ("/api/v1/participants/", "/api/v1/sessions/", f"/api/v1/sessions/{session['session_id']}/events/"):
        assert analyst.get(path).status_code == 200, path
    for fmt, delimiter in (("csv", ","), ("balloons", ","), ("hbayesdm", "\t")):
        export = analyst.get(f"/api/v1/export/?format={fmt}")
        assert export.status_code == 200
        text = b"".join(export.streaming_content).decode()
        assert not [c for c in _cells(text, delimiter) if c.startswith(FORMULA_START)]

    # 5. Withdrawal reason through the API: stored exactly (trimmed) or refused (over 2,000 characters).
    withdrawn = _post_json(api, "/api/v1/me/withdraw/", {"reason": value}, token)
    if withdrawn.status_code == 200:
        with tenant_context(alpha):
            assert ConsentRecord.objects.get(participant__participant_code=code).withdrawal_reason == value.strip()
    else:
        assert_refusal(withdrawn, value)

    # 6. The panel link and the HTML consent form.
    browser = Client(HTTP_HOST=host)
    landing = browser.get("/consent/", {"PROLIFIC_PID": value})
    html = assert_safe_html(landing)
    if landing.status_code == 200 and 'name="carry"' in html:
        agreed = browser.post("/consent/", {**_hidden_fields(html), "agree": "on"})
        assert_safe_html(agreed)
    if browser.cookies.get("participant_token"):
        assert_safe_html(browser.post("/withdraw/", {"reason": value}))
    assert_safe_html(browser.get("/my-data/"))

    # 7. /my-data/: withdraw with a reason, the page and the download; a hostile sign-in and action.
    other_token = enrolled(alpha, api, document=document).token
    mine = Client(HTTP_HOST=host)
    mine.cookies["participant_token"] = other_token
    assert mine.post("/my-data/", {"action": "withdraw", "confirm": "yes", "reason": value}).status_code == 303
    assert_safe_html(mine.get("/my-data/"))
    download = mine.get("/my-data/download/").json()
    assert download["consent"][0]["withdrawal_reason"] == value.strip()[:2000]
    assert_safe_html(mine.post("/my-data/", {"action": value}))
    stranger = Client(HTTP_HOST=host)
    sign_in = stranger.post("/my-data/", {"participant_code": value, "secret": value})
    assert sign_in.status_code == 400  # the form is shown again (escaped) with its error
    assert_safe_html(sign_in)

    # 8. Platform pages: the compliance console and the Django admin.
    console = Client(HTTP_HOST="localhost")
    console.force_login(cast["compliance"])
    assert_safe_html(console.get("/compliance/", {"study": "alpha"}))
    admin_client = Client(HTTP_HOST="localhost")
    admin_client.force_login(cast["admin"])
    for model in admin.site._registry:
        meta = model._meta
        assert_safe_html(admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/"))
    # A study changeform holds no participant input, but it is the admin page closest to it.
    assert_safe_html(admin_client.get(f"/admin/tenants/study/{alpha.pk}/change/"))


def test_no_model_holding_participant_input_is_in_the_django_admin():
    labels = {model._meta.app_label for model in admin.site._registry}
    assert not labels & {
        "consent",
        "pseudonymization",
        "games",
        "rights",
        "traits",
        "audit",
    }


@pytest.mark.parametrize("name", list(MUST_REFUSE))
def test_nul_and_lone_surrogates_are_refused_in_every_json_field(name, alpha):
    value = MUST_REFUSE[name]
    document = publish(alpha)
    api = Client(HTTP_HOST=alpha.domain_name)
    payload = {"consent_version": document.version, "consent_sha256": document.sha256, "agree": True}
    assert_refusal(_post_json(api, "/api/v1/participants/", {**payload, "external_id": value}), value)
    person = enrolled(alpha, api, document=document)
    code, token = person.code, person.token
    assert_refusal(_post_json(api, "/api/v1/game/sessions/", {"client_info": {"ua": value}}, token), value)
    assert_refusal(_post_json(api, "/api/v1/game/sessions/", {"client_info": {value: 1}}, token), value)
    session = _post_json(api, "/api/v1/game/sessions/", {}, token).json()
    url = f"/api/v1/game/sessions/{session['session_id']}/events/"
    batch = {"sent_at": 1, "events": _events(session, value, "color")}
    assert_refusal(_post_json(api, url, batch, token), value)
    assert_refusal(_post_json(api, "/api/v1/me/withdraw/", {"reason": value}, token), value)
    with tenant_context(alpha):
        assert GameSession.objects.get(pk=session["session_id"]).events.count() == 0
        assert not ConsentRecord.objects.filter(participant__participant_code=code).exclude(withdrawn_at=None).exists()


def test_nul_is_refused_in_every_form_field(alpha):
    document = publish(alpha)
    host = alpha.domain_name
    browser = Client(HTTP_HOST=host)
    assert browser.get("/consent/", {"PROLIFIC_PID": "a\x00b"}).status_code == 400
    token = enrolled(alpha, Client(HTTP_HOST=host), document=document).token
    browser.cookies["participant_token"] = token
    assert_refusal(browser.post("/withdraw/", {"reason": "a\x00b"}))
    assert_refusal(browser.post("/my-data/", {"action": "withdraw", "confirm": "yes", "reason": "a\x00b"}))
    assert_refusal(Client(HTTP_HOST=host).post("/my-data/", {"participant_code": "a\x00b", "secret": "a\x00b"}))
    with tenant_context(alpha):
        assert not ConsentRecord.objects.exclude(withdrawn_at=None).exists()


@pytest.mark.parametrize(("name", "value"), [*NUMBERS.items(), ("deep", deep()), ("1e999", "1e999"), ("NaN", "NaN")])
def test_huge_numbers_and_deep_json_in_client_info_and_event_data(name, value, alpha):
    document = publish(alpha)
    api = Client(HTTP_HOST=alpha.domain_name)
    token = enrolled(alpha, api, document=document).token
    raw = value if isinstance(value, str) else None  # tokens that json.dumps would not write
    if raw:
        body = '{"client_info": {"n": ' + raw + "}}"
        start = api.post("/api/v1/game/sessions/", body, content_type="application/json", **bearer(token))
    else:
        start = _post_json(api, "/api/v1/game/sessions/", {"client_info": {"n": value}}, token)
    if name in ("2**80", "deep", "1e999", "NaN"):
        assert_refusal(start)
        start = _post_json(api, "/api/v1/game/sessions/", {}, token)
    assert start.status_code == 201
    session = start.json()
    url = f"/api/v1/game/sessions/{session['session_id']}/events/"
    if raw:
        batch = json_body({"sent_at": 1, "events": _events(session, "__N__", "max_pumps")}).replace('"__N__"', raw)
        answer = api.post(url, batch, content_type="application/json", **bearer(token))
    else:
        answer = _post_json(api, url, {"sent_at": 1, "events": _events(session, value, "max_pumps")}, token)
    assert answer.status_code < 500
    if answer.status_code == 200:
        assert len(answer.json()["rejected"]) == 1  # out of the schema's range: refused per event
    else:
        assert_refusal(answer)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_text_cells_that_look_like_formulas_are_prefixed_with_an_apostrophe(cell):
    from dashboard.export_formats import Column, csv_lines

    text = "".join(csv_lines([Column("a", ""), Column("n", "")], [{"a": cell, "n": -3}]))
    # csv.writer with lineterminator "\n" does not quote a lone CR, so compare the line, not parsed cells.
    assert text.split("\n", 1)[1].lstrip('"').startswith("'" + cell)
    assert text.rstrip("\n").endswith(",-3")
