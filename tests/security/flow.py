"""A participant's whole journey and the researchers around it, driven through the real HTTP surface.

Used by the leak tests: every step a person's external id could slip into a log, a page or a table.
Steps for endpoints other helpers have not merged yet are added as they land.
"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve
from django.urls.base import set_urlconf

from tests.conftest import api_client_for
from tests.consent.support import bearer, enrol, publish


def _hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', html):
        name = re.search(r'name="([\w-]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def has_route(path: str) -> bool:
    set_urlconf("research_platform.urls_tenants")
    try:
        resolve(path)
        return True
    except (Resolver404, NoReverseMatch):
        return False
    finally:
        set_urlconf(None)


def run_full_flow(*, study: Any, cast: dict, external_id: str) -> list[tuple[str, Any]]:
    """Return (step, response) for everything done; the reidentify response is the only one allowed to hold the id."""
    host = study.domain_name
    responses: list[tuple[str, Any]] = []
    document = publish(study)

    # 1. Browser: the panel link carries the id in the query; the form carries it only sealed.
    browser = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    landing = browser.get(f"/consent/?PROLIFIC_PID={external_id}")
    responses.append(("consent page", landing))
    agreed = browser.post("/consent/", {**_hidden_fields(landing.content.decode()), "agree": "on"})
    responses.append(("consent submit", agreed))
    responses.append(("play page", browser.get("/play/")))

    # 2. API: the same person again (same code), and a malformed id that must not be echoed.
    api = Client(HTTP_HOST=host)
    created = enrol(api, document, external_id=external_id)
    responses.append(("api consent", created))
    body = created.json()
    responses.append(("api consent bad id", enrol(api, document, external_id=external_id * 40)))
    fresh = Client(HTTP_HOST=host)  # a browser that has not consented yet reads the link
    responses.append(("bad link", fresh.get(f"/consent/?PROLIFIC_PID={external_id * 40}")))
    token, code = body["token"], body["participant_code"]

    # 3. The game, when it is there.
    if has_route("/api/v1/game/sessions/"):
        responses.extend(play_one_session(api, token))

    # 4. Researchers: the list, re-identification (the one place the id may be shown), the audit trail.
    viewer = api_client_for(cast["viewer"], host)
    responses.append(("participant list", viewer.get("/api/v1/participants/")))
    manager = api_client_for(cast["manager"], host)
    responses.append(
        (
            "reidentify",
            manager.post(f"/api/v1/participants/{code}/reidentify/", {"reason": "Panel payment check"}, format="json"),
        )
    )
    if has_route("/api/v1/audit/"):
        responses.append(("study audit", api_client_for(cast["compliance"], host).get("/api/v1/audit/")))

    # 5. Participant rights, then withdrawal.
    if has_route("/api/v1/me/data/"):
        responses.append(("own data", api.get("/api/v1/me/data/", **bearer(token))))
    responses.append(("withdraw", api.post("/api/v1/me/withdraw/", {"reason": "no time"}, **bearer(token))))
    responses.append(("after withdrawal", enrol(api, document, external_id=external_id)))
    return responses


def play_one_session(api: Client, token: str) -> list[tuple[str, Any]]:
    from tests.security.game_steps import play_session

    return play_session(api, token)
