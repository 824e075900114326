"""Turn a session's bart-events/1 events into what the replay timeline draws (pure, no Django).

Balloons get their pump times and ending; "away" periods are spans when the tab was hidden or the
window had lost focus; every other context event becomes a labelled marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.svg import ReplayBalloon


@dataclass
class Replay:
    balloons: list[ReplayBalloon] = field(default_factory=list)
    away: list[tuple[float, float]] = field(default_factory=list)
    markers: list[tuple[float, str]] = field(default_factory=list)
    end_ms: float = 0.0


def _marker_label(data: Mapping[str, Any]) -> str:
    kind = str(data.get("kind", "context"))
    detail = {k: v for k, v in data.items() if k != "kind"}
    return kind + (" " + ", ".join(f"{k}={v}" for k, v in sorted(detail.items())) if detail else "")


def replay_from_events(events: Iterable[Mapping[str, Any]]) -> Replay:
    """Events must be in seq order (as games.selectors.session_events returns them)."""
    replay = Replay()
    by_index: dict[int, ReplayBalloon] = {}
    hidden_since: float | None = None
    blurred_since: float | None = None
    for event in events:
        t = float(event.get("t") or 0.0)
        replay.end_ms = max(replay.end_ms, t)
        kind, data = event.get("type"), event.get("data") or {}
        index = event.get("balloon")
        if kind in ("balloon_start", "pump", "cash_out", "pop") and index is not None:
            balloon = by_index.get(int(index))
            if balloon is None:
                balloon = by_index[int(index)] = ReplayBalloon(index=int(index))
            if kind == "pump":
                balloon.pump_times_ms.append(t)
            elif kind in ("cash_out", "pop"):
                balloon.end_ms, balloon.outcome = t, kind
        elif kind == "context":
            context = data.get("kind")
            if context == "visibility" and data.get("state") == "hidden":
                hidden_since = t if hidden_since is None else hidden_since
            elif context == "visibility" and data.get("state") == "visible" and hidden_since is not None:
                replay.away.append((hidden_since, t))
                hidden_since = None
            elif context == "blur":
                blurred_since = t if blurred_since is None else blurred_since
            elif context == "focus" and blurred_since is not None:
                replay.away.append((blurred_since, t))
                blurred_since = None
            else:
                replay.markers.append((t, _marker_label(data)))
    # A period still open at the end of the data lasted (at least) until the last event.
    for since in (hidden_since, blurred_since):
        if since is not None:
            replay.away.append((since, replay.end_ms))
    replay.balloons = [by_index[i] for i in sorted(by_index)]
    return replay
