"""Server-confirmed pumps: the study option in which the schedule never reaches the client (#18 5b).

With ``pump_confirmation: "server"`` the session start sends the balloons without their explosion
points; before each pump takes effect the client asks the server, which answers only whether that
pump bursts the balloon, and a collect is confirmed the same way. The server keeps its own count
(``Balloon.confirmed_pumps`` and ``confirmed_outcome``), so a script can learn a point only by
bursting the balloon, exactly as a person does. The price: no offline play in this mode (a pump
waits for the answer; the client retries until it comes), and one round trip per pump
(docs/game.md has the measured latency).

Rules, each a 409 with its own code: the study uses the mode; the session is the caller's and
open; balloons are played in order (every lower balloon ended); a pump is the next one
(``pump = confirmed + 1``), a collect names the confirmed count. A retried request (the answer was
lost) gets the same answer again and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.errors import ApplicationError
from games.models import Balloon, GameSession

SERVER = "server"


def is_server_confirmed(config: dict[str, Any]) -> bool:
    return config.get("pump_confirmation") == SERVER


def _refuse(code: str, message: str, **details: Any) -> ApplicationError:
    return ApplicationError(code, message, details=details, status_code=409)


def _answer(balloon: Balloon) -> dict[str, Any]:
    return {
        "balloon": balloon.index,
        "pumps": balloon.confirmed_pumps,
        "popped": balloon.confirmed_outcome == Balloon.Outcome.POPPED,
        "collected": balloon.confirmed_outcome == Balloon.Outcome.CASHED,
    }


@transaction.atomic
def confirm_action(*, session: GameSession, balloon_index: int, action: str, count: int) -> dict[str, Any]:
    """Apply one pump (``count`` = the pump's number) or a collect (``count`` = pumps banked)."""
    if not is_server_confirmed(session.config):
        raise _refuse("not_server_confirmed", "This study's game does not confirm pumps on the server.")
    if session.is_closed:
        raise _refuse("session_closed", f"This session is {session.status}.", status=session.status)
    balloon = Balloon.objects.select_for_update().filter(session=session, index=balloon_index).first()
    if balloon is None:
        raise ApplicationError("not_found", "No such balloon in this session.", status_code=404)
    earlier_open = Balloon.objects.filter(session=session, index__lt=balloon_index, confirmed_outcome="")
    if earlier_open.exists():
        raise _refuse("out_of_order", "Balloons are played in order; an earlier one has not ended.")
    if action == "pump":
        if count <= balloon.confirmed_pumps:  # a retry of a confirmed pump: the same answer
            return {**_answer(balloon), "pumps": count, "popped": count == balloon.confirmed_pumps and _popped(balloon)}
        if balloon.confirmed_outcome:
            raise _refuse("balloon_ended", "This balloon has already ended.")
        if count != balloon.confirmed_pumps + 1:
            raise _refuse("not_consecutive", "Pumps are confirmed one at a time.", expected=balloon.confirmed_pumps + 1)
        balloon.confirmed_pumps = count
        if count >= balloon.explosion_point:
            balloon.confirmed_outcome = Balloon.Outcome.POPPED
    elif action == "collect":
        if balloon.confirmed_outcome == Balloon.Outcome.CASHED and count == balloon.confirmed_pumps:
            return _answer(balloon)  # a retried collect
        if balloon.confirmed_outcome:
            raise _refuse("balloon_ended", "This balloon has already ended.")
        if count != balloon.confirmed_pumps:
            raise _refuse(
                "not_consecutive",
                "A collect banks the confirmed pumps.",
                expected=balloon.confirmed_pumps,
            )
        balloon.confirmed_outcome = Balloon.Outcome.CASHED
    else:
        raise ApplicationError("invalid", "The request is not valid.", details={"action": ["pump or collect"]})
    balloon.save(update_fields=["confirmed_pumps", "confirmed_outcome"])
    return _answer(balloon)


def _popped(balloon: Balloon) -> bool:
    return balloon.confirmed_outcome == Balloon.Outcome.POPPED


def public_schedule(session: GameSession) -> list[dict[str, Any]]:
    """The balloons as the client may see them: without explosion points in the server mode."""
    if not is_server_confirmed(session.config):
        return list(session.schedule)
    return [{**b, "explosion_point": None} for b in session.schedule]
