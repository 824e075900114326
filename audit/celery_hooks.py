"""Carry the acting user into Celery tasks, so entries written by a task name who started it.

When a task is queued, the current actor's id goes into the message headers (beside
tenant-schemas-celery's ``_schema_name``). The worker attributes the task's entries to that user
with the label "task:<name>" appended, or to "task:<name>" alone when nobody queued it (beat).
Eager tasks run in the caller's context and keep its actor.
"""

from __future__ import annotations

from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from audit.context import _actor, current_actor

HEADER_ACTOR_ID = "audit_actor_id"
HEADER_ACTOR_LABEL = "audit_actor_label"
_tokens: dict[str, Any] = {}


def _add_actor_header(headers: dict | None = None, **kwargs: Any) -> None:
    if headers is None:
        return
    actor_id, label = current_actor()
    if actor_id is None and label == "system":
        # Nobody is acting (beat, a script): no header, so the worker labels the entries
        # "task:<name>" rather than "system via task:<name>" (seen with a real worker).
        return
    headers.setdefault(HEADER_ACTOR_ID, actor_id)
    headers.setdefault(HEADER_ACTOR_LABEL, label)


def _header(task: Any, name: str) -> Any:
    request = task.request
    if request.headers and name in request.headers:
        return request.headers.get(name)
    return request.get(name)


def task_actor(task: Any) -> tuple[Any, str]:
    """(user or None, label) for entries written while ``task`` runs."""
    name = getattr(task, "name", "task")
    actor_id = _header(task, HEADER_ACTOR_ID)
    if actor_id is None and _header(task, HEADER_ACTOR_LABEL) is None:
        inherited_id, inherited_label = current_actor()  # eager: the caller's context
        if inherited_label not in {"system", "anonymous"}:
            actor_id = inherited_id
            label = f"{inherited_label} via task:{name}"
            return _user(actor_id), label
        return None, f"task:{name}"
    queued_by = _header(task, HEADER_ACTOR_LABEL) or "system"
    return _user(actor_id), f"{queued_by} via task:{name}"


def _user(actor_id: Any) -> Any:
    if actor_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=actor_id).first()


def _enter(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task is None or task_id is None:
        return
    user, label = task_actor(task)
    _tokens[task_id] = _actor.set((user, label))


def _leave(task_id: str | None = None, **kwargs: Any) -> None:
    token = _tokens.pop(task_id or "", None)
    if token is not None:
        try:
            _actor.reset(token)
        except ValueError:  # reset from another context (should not happen); drop the actor instead
            _actor.set(None)


def connect() -> None:
    before_task_publish.connect(_add_actor_header, dispatch_uid="audit_actor_header", weak=False)
    task_prerun.connect(_enter, dispatch_uid="audit_actor_enter", weak=False)
    task_postrun.connect(_leave, dispatch_uid="audit_actor_leave", weak=False)
