"""Reads of the questionnaires app: a study's questionnaires, responses, their events and scores."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from pseudonymization.models import Participant
from pseudonymization.services import is_sealed_text, participant_open_text
from questionnaires.models import Questionnaire, QuestionnaireEvent, QuestionnaireResponse


def questionnaire_latest(*, key: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(key=key).order_by("-version").first()


def questionnaire_get(*, key: str, version: int) -> Questionnaire | None:
    return Questionnaire.objects.filter(key=key, version=version).first()


def questionnaires_latest() -> list[Questionnaire]:
    """The latest version of each of the study's questionnaires, by key."""
    return list(Questionnaire.objects.order_by("key", "-version").distinct("key"))


def response_for_step(*, participant: Participant, flow_session: int, flow_step: str) -> QuestionnaireResponse | None:
    return (
        QuestionnaireResponse.objects.select_related("questionnaire")
        .filter(participant=participant, flow_session=flow_session, flow_step=flow_step)
        .first()
    )


def response_get_for_participant(*, participant: Participant, response_id: Any) -> QuestionnaireResponse | None:
    """The participant's own response, or None (someone else's is simply not found)."""
    return (
        QuestionnaireResponse.objects.select_related("questionnaire")
        .filter(pk=response_id, participant=participant)
        .first()
    )


def response_answers_so_far(*, response: QuestionnaireResponse) -> dict[str, Any]:
    """Each item's last answer by seq (ties by arrival): what the page shows when resumed, what submit scores."""
    answers: dict[str, Any] = {}
    rows = (
        QuestionnaireEvent.objects.filter(response=response, type="item_answer")
        .order_by("seq", "id")
        .values_list("item", "value")
    )
    for item, value in rows:
        if value is None:
            answers.pop(item, None)  # cleared
        else:
            answers[item] = value
    return answers


def is_free_text(item: dict[str, Any]) -> bool:
    """Text a participant typed (a text item, or one marked as holding free text): stored sealed."""
    return item.get("type") == "text" or item.get("contains_free_text") is True


def answers_opened(*, response: QuestionnaireResponse, answers: dict[str, Any]) -> dict[str, Any]:
    """``answers`` with sealed free text opened (for the participant's own page, scoring, allowed exports).

    A shredded key (an erased participant) leaves the answer out rather than showing ciphertext.
    """
    if not any(is_sealed_text(v) for v in answers.values()):
        return answers
    out = dict(answers)
    for key, value in answers.items():
        if is_sealed_text(value):
            opened = participant_open_text(participant=response.participant, sealed=value)
            if opened is None:
                out.pop(key)
            else:
                out[key] = opened
    return out


def responses_submitted(*, include_pilots: bool = False) -> QuerySet[QuestionnaireResponse]:
    rows = QuestionnaireResponse.objects.filter(status=QuestionnaireResponse.Status.SUBMITTED).select_related(
        "questionnaire", "participant"
    )
    if not include_pilots:
        rows = rows.filter(participant__pilot=False)
    return rows.order_by("submitted_at", "id")


def responses_of(*, participant: Participant) -> list[QuestionnaireResponse]:
    return list(
        QuestionnaireResponse.objects.filter(participant=participant)
        .select_related("questionnaire")
        .order_by("started_at", "id")
    )


def questionnaire_versions(*, key: str) -> list[Questionnaire]:
    """Every stored version of the questionnaire ``key``, newest first."""
    return list(Questionnaire.objects.filter(key=key).order_by("-version"))


def questionnaire_version_counts() -> dict[str, int]:
    """How many versions each of the study's questionnaires has, by key."""
    rows = Questionnaire.objects.values("key").annotate(n=Count("id")).values_list("key", "n")
    return dict(rows)


def questionnaire_versions_all() -> QuerySet[Questionnaire]:
    """Every version of every questionnaire, by key then newest first, each with its submitted responses counted."""
    return Questionnaire.objects.annotate(
        submitted_count=Count("responses", filter=Q(responses__status=QuestionnaireResponse.Status.SUBMITTED))
    ).order_by("key", "-version")


def responses_for_researchers(
    *, questionnaire_key: str | None = None, participant_code: str | None = None, include_pilots: bool = False
) -> QuerySet[QuestionnaireResponse]:
    """Submitted responses, oldest first, without erased participants' (one query per page)."""
    rows = responses_submitted(include_pilots=include_pilots).exclude(participant__status=Participant.Status.ERASED)
    if questionnaire_key:
        rows = rows.filter(questionnaire__key=questionnaire_key)
    if participant_code:
        rows = rows.filter(participant__participant_code=participant_code)
    return rows
