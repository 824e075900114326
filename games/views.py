"""The Balloon game page (`/play/`): a Django template plus local JavaScript, behind the consent gate."""

from __future__ import annotations

import hashlib

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from consent.gate import consent_required
from consent.selectors import completion_url
from core.study import current_study
from flows.selectors import position_of
from flows.services import flow_join
from games.flow_step import due_game_step, game_config_for_step
from games.ingestion import MAX_BATCH_EVENTS
from games.money import format_money
from games.selectors import game_config_current, session_finished_for
from games.services import session_open_for


def _completion_url(request: HttpRequest, config: dict) -> str | None:
    """The consent settings' completion URL (per participant), else the game configuration's."""
    url = completion_url(participant=request.participant)  # type: ignore[attr-defined]
    if url:
        return url
    configured = config.get("completion_redirect_url")
    return (
        configured if isinstance(configured, str) and configured.lower().startswith(("https://", "http://")) else None
    )


@consent_required
@ensure_csrf_cookie
def play_page(request: HttpRequest) -> HttpResponse:
    participant = request.participant  # type: ignore[attr-defined]
    # The browser's saved game is keyed by study and participant without naming either in clear.
    storage_key = (
        "rp-game:"
        + hashlib.sha256(f"{connection.schema_name}|{participant.participant_code}".encode()).hexdigest()[:16]
    )
    step = due_game_step(participant)
    open_session = session_open_for(participant=participant)
    if step is None and open_session is None:
        # No game is due: a finished study whose last step was the game shows what was earned;
        # anything else (a page, a questionnaire, a session not yet open) is the flow's to show.
        finished = session_finished_for(participant=participant)
        if finished is None or position_of(flow_join(participant=participant)).state != "done":
            return HttpResponseRedirect("/flow/")
    config = game_config_for_step(game_config_current(), step.settings if step else {})
    if open_session is not None:
        config = open_session.config  # a resumed game keeps the protocol it started with
    currency = str(config.get("currency") or "USD")
    boot = {
        "sessions_url": "/api/v1/game/sessions/",
        "csrf_token": get_token(request),
        "storage_key": storage_key,
        # The game's end screen leads on through the flow, or (last step) to the panel's completion link.
        "completion_url": _completion_url(request, config) if step is None or step.is_last else "/flow/",
        "next_label": "Continue to finish the study" if step is None or step.is_last else "Continue",
        "results_url": "/results/",  # traits' feedback page; it says "being prepared" until processed
        "my_data_url": "/my-data/",
        "max_batch": min(200, MAX_BATCH_EVENTS),
        "currency": currency,
    }
    context = {
        "study": current_study(request),
        "boot": boot,
        "participant_code": participant.participant_code,
        "reward_text": format_money(float(config.get("reward_per_pump") or 0), currency),
        "zero_text": format_money(0, currency),
    }
    finished = session_finished_for(participant=participant) if step is None and open_session is None else None
    if finished is not None:
        # A participant who already finished is told so, instead of being handed a new game.
        context["earned_text"] = format_money(finished.earnings, currency)
        response = render(request, "games/finished.html", context)
    else:
        response = render(request, "games/play.html", context)
    response["Cache-Control"] = "no-store"
    return response
