"""Isolation attacks: host-header tricks, tokens replayed across studies, a researcher of study A on
every route of study B, identifiers guessed across studies.

"Refused without revealing existence" is checked literally: the answer about another study's real
object is byte-for-byte the answer about an object that does not exist anywhere.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import api_client_for, host_client
from tests.consent.support import bearer, enrol, publish
from tests.security.routes import PUBLIC_URLCONF, STUDY_URLCONF, all_routes

ATTACKS: list[str] = []  # names of the attacks refused, for the figures in docs/security.md


def _same_refusal(real, absent) -> None:  # type: ignore[no-untyped-def]
    assert real.status_code == absent.status_code, (real.status_code, absent.status_code)
    assert real.status_code in {401, 403, 404, 405}, real.status_code
    assert real.content == absent.content


def _without_csrf(html: bytes) -> bytes:
    """Pages differ only by their per-request CSRF token."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


# --- Host-header tricks ------------------------------------------------------------------------


def test_x_forwarded_host_cannot_switch_the_study(alpha, beta):
    publish(alpha, body="ALPHA-ONLY-TEXT")
    response = host_client(beta.domain_name).get("/api/v1/consent/", HTTP_X_FORWARDED_HOST=alpha.domain_name)
    assert response.status_code == 404 and b"ALPHA-ONLY-TEXT" not in response.content
    platform = host_client("localhost").get("/api/v1/study/", HTTP_X_FORWARDED_HOST=alpha.domain_name)
    assert platform.status_code == 404  # the platform host has no study API, whatever the header says
    forwarded = host_client(beta.domain_name).get("/api/v1/consent/", HTTP_FORWARDED=f"host={alpha.domain_name}")
    assert b"ALPHA-ONLY-TEXT" not in forwarded.content


def test_an_absolute_uri_in_the_request_line_does_not_pick_the_study(alpha, beta):
    publish(alpha, body="ALPHA-ONLY-TEXT")
    # The test client sends the Host header it was given; the absolute URI names another study.
    response = host_client(beta.domain_name).get(f"http://{alpha.domain_name}/api/v1/consent/")
    assert b"ALPHA-ONLY-TEXT" not in response.content


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("alpha.localhost:8000", 200),
        ("alpha.localhost.", 404),
        ("ALPHA.LOCALHOST", 404),
        ("Alpha.Localhost:80", 404),
        ("www.alpha.localhost", 200),
    ],
)
def test_host_spellings_reach_the_same_study_or_nothing(alpha, beta, host, expected):
    publish(alpha, body="ALPHA-ONLY-TEXT")
    publish(beta, body="BETA-ONLY-TEXT")
    response = host_client(host).get("/api/v1/consent/")
    assert b"BETA-ONLY-TEXT" not in response.content
    assert response.status_code == expected
    if response.status_code == 200:
        assert b"ALPHA-ONLY-TEXT" in response.content
    else:
        assert response.json()["error"]["code"] == "not_found"


UNKNOWN_HOSTS = [
    "gamma.localhost",
    "alpha.beta.localhost",
    "study-template.localhost",
    "study_template.localhost",
    "public.localhost",
    "alpha.localhost.evil.example",
    "localhost.evil.example",
    "alpha.localhost@evil.example",
    "alpha..localhost",
    "-alpha.localhost",
    "a" * 300 + ".localhost",
]


@pytest.mark.parametrize("host", UNKNOWN_HOSTS)
def test_unknown_or_malformed_hosts_get_the_same_404_as_any_unknown_study(db, host):
    reference = host_client("nosuchstudy.localhost").get("/api/v1/consent/")
    response = host_client(host).get("/api/v1/consent/")
    assert response.status_code == 404
    assert response.content == reference.content


# --- Tokens replayed on another study --------------------------------------------------------


def test_a_participant_token_is_worthless_on_another_studys_host(alpha, beta, alpha_client, beta_client):
    token = enrol(alpha_client, publish(alpha)).json()["token"]
    publish(beta)
    replayed = beta_client.post("/api/v1/me/withdraw/", {}, content_type="application/json", **bearer(token))
    invented = beta_client.post("/api/v1/me/withdraw/", {}, content_type="application/json", **bearer("pt_" + "x" * 40))
    _same_refusal(replayed, invented)
    assert replayed.status_code == 401
    on_platform = host_client("localhost").post("/api/v1/me/withdraw/", {}, **bearer(token))
    assert on_platform.status_code == 404
    # The cookie form of the same token: beta's pages treat the browser as a stranger.
    browser = Client(HTTP_HOST=beta.domain_name)
    browser.cookies["participant_token"] = token
    stranger = Client(HTTP_HOST=beta.domain_name)
    assert _without_csrf(browser.get("/consent/").content) == _without_csrf(stranger.get("/consent/").content)
    # ...and it still works at home.
    assert (
        alpha_client.post("/api/v1/me/withdraw/", {}, content_type="application/json", **bearer(token)).status_code
        == 200
    )


def test_a_researcher_token_does_not_make_a_participant(alpha, cast, alpha_client):
    publish(alpha)
    client = api_client_for(cast["manager"], alpha.domain_name)
    response = client.post("/api/v1/me/withdraw/", {}, format="json")
    assert response.status_code == 401


# --- A researcher of study A on every route of study B ----------------------------------------

# Open to anyone by design (the consent document, agreeing, the docs, health, login pages).
PUBLIC_ROUTES = {
    "healthz",
    "api/schema/",
    "api/docs/",
    "api/v1/consent/",
    "api/v1/auth/token/",
    "accounts/login/",
    "accounts/logout/",
    "",
    "consent/",
    "consent/declined/",
    "withdraw/",
    "play/",
    "api/v1/game/event-schema/",
    "my-data/",  # participants' self-service by code (rights app)
    "my-data/download/",
    "game/schemas/bart-events-1.json",  # the published event schema
    "questionnaires/schemas/questionnaire-events-1.json",  # the questionnaire events schema, likewise
}


def _route_requests(urlconf: str):  # type: ignore[no-untyped-def]
    for route in all_routes(urlconf):
        if route.template in PUBLIC_ROUTES or route.template.startswith(("static/", "admin/")):
            continue
        view_class = route.view_class
        methods = [m for m in ("get", "post", "put", "patch", "delete") if view_class is None or hasattr(view_class, m)]
        for method in methods or ["get"]:
            yield route, method


def test_a_manager_of_alpha_is_refused_on_every_route_of_beta_like_an_outsider(alpha, beta, cast):
    alpha_manager = api_client_for(cast["manager"], beta.domain_name)
    outsider = api_client_for(cast["outsider"], beta.domain_name)
    alpha_session = Client(HTTP_HOST=beta.domain_name)
    alpha_session.force_login(cast["manager"])
    outsider_session = Client(HTTP_HOST=beta.domain_name)
    outsider_session.force_login(cast["outsider"])
    tried = 0
    for route, method in _route_requests(STUDY_URLCONF):
        if route.template == "api/v1/participants/" and method == "post":
            continue  # agreeing to consent is open to anyone
        path = route.path()
        for attacker, reference in ((alpha_manager, outsider), (alpha_session, outsider_session)):
            got = getattr(attacker, method)(path, {}, content_type="application/json")
            expected = getattr(reference, method)(path, {}, content_type="application/json")
            assert got.status_code in {302, 401, 403, 404, 405}, f"{method.upper()} {path}: {got.status_code}"
            assert (got.status_code, _without_csrf(got.content)) == (
                expected.status_code,
                _without_csrf(expected.content),
            ), f"{method} {path}"
            tried += 1
    ATTACKS.append(f"cross-study routes: {tried}")
    assert tried >= 20


def test_a_manager_of_alpha_cannot_reach_beta_through_the_platform_host(alpha, beta, cast):
    client = api_client_for(cast["manager"], "localhost")
    tried = 0
    for route, method in _route_requests(PUBLIC_URLCONF):
        if "<str:slug>" not in route.template:
            continue
        real = getattr(client, method)(route.path({"slug": "beta"}), {}, format="json")
        absent = getattr(client, method)(route.path({"slug": "no-such-study"}), {}, format="json")
        _same_refusal(real, absent)
        tried += 1
    assert tried >= 4


# --- Identifiers guessed across studies ------------------------------------------------------


def test_another_studys_participant_code_answers_like_a_code_that_does_not_exist(alpha, beta, cast, beta_client):
    beta_code = enrol(beta_client, publish(beta), external_id="BETA-PERSON-1").json()["participant_code"]
    manager = api_client_for(cast["manager"], alpha.domain_name)
    for template in ("/api/v1/participants/{}/reidentify/", "/api/v1/participants/{}/traits/"):
        for method in ("get", "post"):
            real = getattr(manager, method)(template.format(beta_code), {"reason": "guessing codes"}, format="json")
            absent = getattr(manager, method)(
                template.format("P-ZZZZ-ZZZZ"), {"reason": "guessing codes"}, format="json"
            )
            _same_refusal(real, absent)
            assert b"BETA-PERSON-1" not in real.content


def test_another_studys_session_id_answers_like_a_session_that_does_not_exist(alpha, beta, cast):
    from tests.games.support import enrol_gamer
    from tests.security.routes import new_uuid

    beta_session = enrol_gamer(beta).start()["session_id"]
    alpha_gamer = enrol_gamer(alpha)
    own_session = alpha_gamer.start()["session_id"]
    absent = new_uuid()
    for template in (
        "/api/v1/game/sessions/{}/",
        "/api/v1/game/sessions/{}/events/",
        "/api/v1/game/sessions/{}/complete/",
    ):
        method = alpha_gamer.get if template.endswith("sessions/{}/") else alpha_gamer.post
        _same_refusal(method(template.format(beta_session)), method(template.format(absent)))
    analyst = api_client_for(cast["analyst"], alpha.domain_name)
    for template in ("/api/v1/sessions/{}/events/", "/api/v1/sessions/{}/balloons/", "/api/v1/sessions/{}/metrics/"):
        _same_refusal(analyst.get(template.format(beta_session)), analyst.get(template.format(absent)))
    # A second participant of the same study cannot use the first one's session either.
    other = enrol_gamer(alpha)
    _same_refusal(other.get(f"/api/v1/game/sessions/{own_session}/"), other.get(f"/api/v1/game/sessions/{absent}/"))
