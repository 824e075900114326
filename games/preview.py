"""The game as a manager previews it: a fresh schedule drawn as for a participant, played in the page alone.

Used by the set-up checklist's preview (dashboard) and by the flow builder's preview of a game step
(with the step's or a condition's settings). Nothing leaves the page but "played to the end".
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render

from core.study import current_study
from games.flow_step import game_config_for_step
from games.money import format_money
from games.schedule import draw_schedule
from games.selectors import game_config_current

DONE_URL = "/manage/preview/done/"


def game_preview_response(
    request: HttpRequest,
    settings: dict[str, Any] | None = None,
    back_url: str = "/manage/setup/",
    back_label: str = "",
) -> HttpResponse:
    config = game_config_for_step(game_config_current(), settings or {})
    currency = str(config.get("currency") or "USD")
    boot = {
        "sessions_url": "",
        "csrf_token": get_token(request),
        "storage_key": "",
        "completion_url": None,
        "results_url": None,
        "my_data_url": None,
        "max_batch": 200,
        "currency": currency,
        "preview": {
            "done_url": DONE_URL,
            "session": {
                "session_id": "preview",
                "balloons": [b.as_dict() for b in draw_schedule(secrets.token_hex(16), config)],
                "reward_per_pump": config.get("reward_per_pump"),
                "variant": config.get("variant", "standard"),
                "pump_confirmation": "client",
            },
        },
    }
    context = {
        "study": current_study(request),
        "boot": boot,
        "preview": {"back_url": back_url, "done_url": DONE_URL, "back_label": back_label},
        "participant_code": "PREVIEW",
        "reward_text": format_money(float(config.get("reward_per_pump") or 0), currency),
        "zero_text": format_money(0, currency),
    }
    response = render(request, "games/play.html", context)
    response["Cache-Control"] = "no-store"
    return response
