"""Section 1c: what a questionnaire answer batch costs beside a game batch of the same size, in-process.

A participant answering a questionnaire sends its `questionnaire-events/1` batches through the
same kind of path as the game's (token, consent gate, JSON parsing, exactly-once dedup), but
through DRF and the ORM, not the game's three prepared statements: questionnaires are a few dozen
events per participant, not hundreds a minute. The figures say what that costs, side by side with
the game's batch endpoint in the same run: ms per request for fresh events, for a retry of the
same batch (all duplicates), and SQL statements per request.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from typing import Any

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from bench.sections.request_cost import prepare_requests, send_all
from bench.setup import Bench

ITEMS = 20


def _definition() -> dict[str, Any]:
    items = [
        {"key": f"i{n:02d}", "type": "likert", "text": f"Statement {n}.", "points": 5, "anchors": ["No", "Yes"]}
        for n in range(ITEMS)
    ]
    return {"items": items, "scales": [{"key": "all", "label": "All", "items": [i["key"] for i in items]}]}


def _prepare(bench: Bench, count: int) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """``count`` participants each holding a started response; (token, response id, answer events)."""
    from consent.services import consent_give
    from flows.services import flow_join, step_complete
    from questionnaires.flow_step import parse_ref
    from questionnaires.selectors import questionnaire_get
    from questionnaires.services import DueQuestionnaire, response_start

    out = []
    with tenant_context(bench.study):
        for _ in range(count):
            given = consent_give(version=bench.consent_version, sha256=bench.consent_sha256, method="api")
            flow = flow_join(participant=given.participant)
            step_complete(participant=given.participant, session_number=1, step_key="game", kind="game")
            step = next(s for s in flow.version.definition["steps"] if s["kind"] == "questionnaire")
            key, version = parse_ref(step["settings"]["questionnaire"])
            response, _ = response_start(
                participant=given.participant,
                due=DueQuestionnaire(
                    questionnaire=questionnaire_get(key=key, version=version or 1),  # type: ignore[arg-type]
                    version=flow.version.number,
                    session_number=1,
                    step_key=step["key"],
                    condition="",
                ),
            )
            events = [
                {
                    "event_id": str(uuid.uuid4()),
                    "seq": n,
                    "type": "item_answer",
                    "t": 1000.0 * n,
                    "client_ts": int(time.time() * 1000),
                    "item": f"i{n:02d}",
                    "value": 1 + n % 5,
                    "rt_ms": 950.0,
                }
                for n in range(ITEMS)
            ]
            out.append((given.token, str(response.pk), events))
    connection.set_schema_to_public()
    return out


def _send(bench: Bench, jobs: list[tuple[str, str, list[dict[str, Any]]]]) -> tuple[float, int]:
    client = Client(HTTP_HOST=bench.host)
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        for token, rid, events in jobs:
            reply = client.post(
                f"/api/v1/questionnaires/responses/{rid}/events/",
                json.dumps({"events": events, "sent_at": int(time.time() * 1000)}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            if reply.status_code != 200:
                raise RuntimeError(f"batch refused: {reply.status_code} {reply.content[:300]!r}")
        seconds = time.perf_counter() - started
    return seconds, statements


def _ensure_flow(bench: Bench) -> None:
    """The bench study's flow gains a questionnaire after the game (the game stays the first step)."""
    from flows.selectors import flow_version_live
    from flows.services import flow_draft_publish, flow_draft_save
    from questionnaires.services import questionnaire_save

    with tenant_context(bench.study):
        live = flow_version_live()
        if live is not None and any(s["kind"] == "questionnaire" for s in live.definition["steps"]):
            return
        questionnaire_save(acting_user=None, key="bench", title="Bench", definition=_definition())
        flow_draft_save(
            acting_user=None,
            definition={
                "steps": [
                    {"key": "game", "kind": "game"},
                    {"key": "after", "kind": "questionnaire", "settings": {"questionnaire": "bench"}},
                ]
            },
        )
        flow_draft_publish(acting_user=None)
    connection.set_schema_to_public()


def section_questionnaire(bench: Bench, *, requests: int = 200, rounds: int = 3) -> dict[str, Any]:
    _ensure_flow(bench)
    _send(bench, _prepare(bench, 10))  # warm-up: imports, the first connection
    send_all(bench, prepare_requests(bench, batch=ITEMS, count=10))
    fresh, retry, game = [], [], []
    statements = {"fresh": 0.0, "retry": 0.0}
    for _ in range(rounds):
        jobs = _prepare(bench, requests)
        seconds, count = _send(bench, jobs)
        fresh.append(seconds * 1000 / len(jobs))
        statements["fresh"] = count / len(jobs)
        seconds, count = _send(bench, jobs)  # every event again: all duplicates
        retry.append(seconds * 1000 / len(jobs))
        statements["retry"] = count / len(jobs)
        game_requests = prepare_requests(bench, batch=ITEMS, count=requests)
        seconds, _queries = send_all(bench, game_requests)
        game.append(seconds * 1000 / len(game_requests))

    def summary(values: list[float]) -> dict[str, float]:
        return {"min": round(min(values), 2), "median": round(statistics.median(values), 2), "n": len(values)}

    return {
        "batch_events": ITEMS,
        "requests_per_round": requests,
        "questionnaire_ms_per_request": summary(fresh),
        "questionnaire_retry_ms_per_request": summary(retry),
        "game_ms_per_request": summary(game),
        "questionnaire_over_game": round(statistics.median(fresh) / statistics.median(game), 2),
        "sql_statements_per_request": {k: round(v, 1) for k, v in statements.items()},
    }
