"""Reads of the dashboard's design, reliability and validity panels (docs/dashboard.md).

Design: the live flow version and the participants in each version and condition. Reliability:
test-retest ICC(2,1) of each session metric and trait dimension between study sessions 1 and 2.
Validity: Pearson's r between each trait dimension and each questionnaire scale and subscale. The
statistics are traits/reliability.py and traits/validity.py; this module only pairs the numbers.

Pilot participants (and erased ones) are left out unless ``include_pilots``. Every function costs a
fixed number of queries whatever the number of participants (values() reads, paired in Python).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from dashboard import design_wording as wording

# The session metrics the dashboard shows (its distributions), read from SessionMetrics.values["overall"].
SESSION_METRICS: tuple[tuple[str, str], ...] = (
    ("adjusted_pumps", "Adjusted average pumps (collected balloons)"),
    ("explosions", "Explosions (balloons popped)"),
)
PROCESSED_STATUSES = ("processed", "flagged")  # what the funnel counts as processed
RETEST_SESSIONS = (1, 2)


def _participants_filter(prefix: str, include_pilots: bool) -> dict[str, Any]:
    return {} if include_pilots else {f"{prefix}pilot": False}


def _active(rows: Any, prefix: str = "participant__") -> Any:
    from pseudonymization.models import Participant

    return rows.exclude(**{f"{prefix}status": Participant.Status.ERASED})


def _sessions_required(definition: Mapping[str, Any] | None) -> int:
    return int(((definition or {}).get("sessions") or {}).get("count") or 1)


# --- Design --------------------------------------------------------------------------------------


def design_summary(*, include_pilots: bool = False) -> dict[str, Any]:
    """The live version, and per published or retired version its conditions with participant counts
    (two queries)."""
    from django.db.models import Count

    from flows.models import FlowVersion, ParticipantFlow

    versions = list(
        FlowVersion.objects.exclude(status=FlowVersion.Status.DRAFT)
        .order_by("-number")
        .values("number", "status", "definition", "published_at")
    )
    counted = _active(ParticipantFlow.objects.filter(**_participants_filter("participant__", include_pilots)))
    counts: dict[tuple[int, str], int] = {
        (row["version__number"], row["condition"]): row["n"]
        for row in counted.values("version__number", "condition").annotate(n=Count("id"))
    }
    live = next((v for v in versions if v["status"] == FlowVersion.Status.PUBLISHED), None)
    out_versions = []
    for v in versions:
        conditions = [
            {
                "key": str(c["key"]),
                "label": str(c.get("label") or c["key"]),
                "n": counts.get((v["number"], c["key"]), 0),
            }
            for c in (v["definition"] or {}).get("conditions", [])
        ]
        known = {c["key"] for c in conditions}
        # Participants whose condition the definition does not name ("" when the flow has none).
        for (number, key), n in sorted(counts.items()):
            if number == v["number"] and key not in known:
                conditions.append({"key": key, "label": key or "(no condition)", "n": n})
        out_versions.append(
            {
                "number": v["number"],
                "status": v["status"],
                "sessions_required": _sessions_required(v["definition"]),
                "min_gap_hours": int(((v["definition"] or {}).get("sessions") or {}).get("min_gap_hours") or 0),
                "conditions": conditions,
                "participants": sum(c["n"] for c in conditions),
            }
        )
    return {
        "live_version": live["number"] if live else None,
        "sessions_required": _sessions_required(live["definition"]) if live else None,
        "versions": out_versions,
        "participants": sum(v["participants"] for v in out_versions),
        "include_pilots": include_pilots,
    }


# --- Pairing: the processed sessions, their metrics and trait profiles -------------------------


def _processed_sessions(include_pilots: bool, flow_sessions: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Processed game sessions, earliest first per participant (one query)."""
    from games.models import GameSession

    rows = _active(
        GameSession.objects.filter(
            status__in=PROCESSED_STATUSES, **_participants_filter("participant__", include_pilots)
        )
    )
    if flow_sessions is not None:
        rows = rows.filter(flow_session__in=list(flow_sessions))
    return list(rows.order_by("participant_id", "started_at", "id").values("id", "participant_id", "flow_session"))


def _metric_values(session_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, float | None]]:
    """{session: {metric: value}} of the current metrics version (one query)."""
    from traits.metrics import METRICS_VERSION
    from traits.models import SessionMetrics

    out: dict[uuid.UUID, dict[str, float | None]] = {}
    rows = SessionMetrics.objects.filter(session_id__in=session_ids, metrics_version=METRICS_VERSION)
    for session_id, values in rows.values_list("session_id", "values"):
        overall = (values or {}).get("overall") or {}
        out[session_id] = {key: overall.get(key) for key, _ in SESSION_METRICS}
    return out


def _trait_values(session_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, float | None]]:
    """{session: {dimension: value}} of the current mapping's default-reference profile (one query)."""
    from traits.mapping import TRAITS_VERSION
    from traits.models import TraitProfile

    out: dict[uuid.UUID, dict[str, float | None]] = {}
    rows = TraitProfile.objects.filter(session_id__in=session_ids, traits_version=TRAITS_VERSION, reference="default")
    for session_id, dimensions in rows.values_list("session_id", "dimensions"):
        out[session_id] = {str(d.get("key")): d.get("value") for d in dimensions or []}
    return out


def _trait_dimensions() -> list[tuple[str, str]]:
    from traits.mapping import DIMENSIONS

    return [(d.key, d.label) for d in DIMENSIONS]


# --- Reliability ---------------------------------------------------------------------------------


def retest_values(*, include_pilots: bool = False) -> dict[str, dict[str, dict[str, list[float | None]]]]:
    """{"metric"|"trait": {key: {participant: [value in session 1, value in session 2]}}}.

    Each participant's first processed game session of study session 1 and of session 2 (three
    queries); a participant missing one of them gets None there (retest_icc leaves them out).
    """
    sessions = _processed_sessions(include_pilots, RETEST_SESSIONS)
    chosen: dict[int, dict[int, uuid.UUID]] = {}
    for row in sessions:
        chosen.setdefault(row["participant_id"], {}).setdefault(row["flow_session"], row["id"])
    ids = [sid for per in chosen.values() for sid in per.values()]
    metrics, traits = _metric_values(ids), _trait_values(ids)
    out: dict[str, dict[str, dict[str, list[float | None]]]] = {"metric": {}, "trait": {}}
    for group, source, keys in (("metric", metrics, SESSION_METRICS), ("trait", traits, _trait_dimensions())):
        for key, _ in keys:
            out[group][key] = {
                str(pid): [source.get(per[s], {}).get(key) if s in per else None for s in RETEST_SESSIONS]
                for pid, per in chosen.items()
            }
    return out


def reliability_summary(*, include_pilots: bool = False) -> dict[str, Any]:
    """ICC(2,1) between study sessions 1 and 2 for every session metric and trait dimension."""
    from flows.models import FlowVersion
    from traits.reliability import MIN_TARGETS, RELIABILITY_VERSION, retest_icc

    live = FlowVersion.objects.filter(status=FlowVersion.Status.PUBLISHED).values_list("definition", flat=True).first()
    required = _sessions_required(live)
    base = {
        "version": RELIABILITY_VERSION,
        "kind": "ICC(2,1)",
        "sessions": list(RETEST_SESSIONS),
        "sessions_required": required,
        "min_n": MIN_TARGETS,
        "include_pilots": include_pilots,
    }
    if required < 2:
        which = "The live flow has one session" if live is not None else "No flow version is live yet"
        reason = f"{which}: a retest needs a study with at least 2 sessions."
        return {**base, "available": False, "reason": reason, "rows": []}
    values = retest_values(include_pilots=include_pilots)
    rows = []
    for group, keys in (("metric", SESSION_METRICS), ("trait", _trait_dimensions())):
        for key, label in keys:
            result = retest_icc(values[group][key], sessions=2, kind="ICC(2,1)")
            rows.append(
                {
                    "group": group,
                    "key": key,
                    "label": label,
                    "icc": result.icc,
                    "lower": result.lower,
                    "upper": result.upper,
                    "n": result.n,
                    "excluded": result.excluded,
                    "p_value": result.p_value,
                    "reason": result.reason,
                    **wording.icc_words(result.icc, result.lower, result.upper, result.n, MIN_TARGETS, result.reason),
                }
            )
    return {**base, "available": True, "reason": None, "rows": rows}


# --- Validity ------------------------------------------------------------------------------------


def validity_pairs(*, include_pilots: bool = False) -> dict[str, Any]:
    """Per participant: trait values of their first processed game session, and per questionnaire key
    the scale and subscale scores of their first submitted response of it (three queries)."""
    from questionnaires.models import QuestionnaireResponse

    first: dict[int, uuid.UUID] = {}
    for row in _processed_sessions(include_pilots):
        first.setdefault(row["participant_id"], row["id"])
    traits = _trait_values(list(first.values()))
    trait_of = {pid: traits.get(sid, {}) for pid, sid in first.items()}
    responses = _active(
        QuestionnaireResponse.objects.filter(
            status=QuestionnaireResponse.Status.SUBMITTED, **_participants_filter("participant__", include_pilots)
        )
    ).order_by("participant_id", "submitted_at", "id")
    scores: dict[tuple[str, str, str], dict[int, float | None]] = {}
    labels: dict[str, str] = {}
    seen: set[tuple[int, str]] = set()
    for pid, qkey, title, definition, result in responses.values_list(
        "participant_id", "questionnaire__key", "questionnaire__title", "questionnaire__definition", "scores"
    ):
        labels.setdefault(qkey, title)
        if (pid, qkey) in seen:
            continue  # only the first submitted response of each questionnaire counts
        seen.add((pid, qkey))
        for level in ("scales", "subscales"):
            for skey, entry in ((result or {}).get(level) or {}).items():
                scores.setdefault((qkey, level[:-1], skey), {})[pid] = (entry or {}).get("score")
        for scale in (definition or {}).get("scales", []):
            labels.setdefault(f"{qkey}/{scale['key']}", str(scale.get("label") or scale["key"]))
            for sub in scale.get("subscales", []):
                labels.setdefault(f"{qkey}/{sub['key']}", str(sub.get("label") or sub["key"]))
    return {"traits": trait_of, "scores": scores, "labels": labels}


def validity_summary(*, include_pilots: bool = False) -> dict[str, Any]:
    """Pearson's r (Fisher-z 95 % interval) of every trait dimension with every scale and subscale."""
    from traits.validity import MIN_PAIRS, VALIDITY_VERSION, pearson

    pairs = validity_pairs(include_pilots=include_pilots)
    rows = []
    for (qkey, level, skey), by_participant in sorted(pairs["scores"].items()):
        people = sorted(set(by_participant) | set(pairs["traits"]))
        for dkey, dlabel in _trait_dimensions():
            x = [pairs["traits"].get(pid, {}).get(dkey) for pid in people]
            y = [by_participant.get(pid) for pid in people]
            result = pearson(x, y)
            rows.append(
                {
                    "trait": dkey,
                    "trait_label": dlabel,
                    "questionnaire": qkey,
                    "questionnaire_title": pairs["labels"].get(qkey, qkey),
                    "level": level,
                    "scale": skey,
                    "scale_label": pairs["labels"].get(f"{qkey}/{skey}", skey),
                    "r": result.r,
                    "lower": result.lower,
                    "upper": result.upper,
                    "n": result.n,
                    "p_value": result.p_value,
                    "reason": result.reason,
                    **wording.r_words(result.r, result.lower, result.upper, result.n, MIN_PAIRS, result.reason),
                }
            )
    return {
        "version": VALIDITY_VERSION,
        "method": "pearson",
        "interval": "Fisher z, 95 %",
        "min_n": MIN_PAIRS,
        "include_pilots": include_pilots,
        "rows": rows,
    }


# --- One participant -----------------------------------------------------------------------------


def participant_design(*, participant: Any) -> dict[str, Any] | None:
    """The participant's flow: version, condition (label and key), assignment and sessions done."""
    from flows.selectors import participant_flow_get, position_of

    flow = participant_flow_get(participant=participant)
    if flow is None:
        return None
    position = position_of(flow)
    done = position.sessions_count if position.state == "done" else position.session_number - 1
    return {
        "version": flow.version.number,
        "condition": flow.condition,
        "condition_label": position.condition_label,
        "assignment": flow.assignment or {},
        "sessions_done": done,
        "sessions_required": position.sessions_count,
        "state": position.state,
    }


def participant_questionnaires(*, participant: Any) -> list[dict[str, Any]]:
    """The participant's submitted responses with each scale's and subscale's score (one query)."""
    from questionnaires.models import QuestionnaireResponse

    rows = (
        QuestionnaireResponse.objects.filter(participant=participant, status=QuestionnaireResponse.Status.SUBMITTED)
        .select_related("questionnaire")
        .order_by("submitted_at", "id")
    )
    out = []
    for response in rows:
        definition = response.questionnaire.definition or {}
        names = {s["key"]: s.get("label") or s["key"] for s in definition.get("scales", [])}
        names.update(
            {u["key"]: u.get("label") or u["key"] for s in definition.get("scales", []) for u in s.get("subscales", [])}
        )
        scores = response.scores or {}
        scales = [
            {"level": level[:-1], "key": key, "label": names.get(key, key), **(entry or {})}
            for level in ("scales", "subscales")
            for key, entry in (scores.get(level) or {}).items()
        ]
        out.append(
            {
                "key": response.questionnaire.key,
                "version": response.questionnaire.version,
                "title": response.questionnaire.title,
                "flow_session": response.flow_session,
                "submitted_at": response.submitted_at,
                "scoring_version": response.scoring_version,
                "scales": scales,
                "attention": scores.get("attention_checks") or {"passed": 0, "failed": 0, "items": []},
            }
        )
    return out
