"""The flow builder (managers, on the study host): the live flow, its history, and the one draft.

Every write goes through flows.services (which validate the whole definition and audit): a page
builds the next definition from the draft and the manager's form, and ``flow_draft_save`` keeps it
or refuses it with errors by path, which land next to the field they belong to; nothing typed is
lost (the form comes back filled, with status 400). The live version is never edited: "Edit" makes
a draft (a copy of it), "Publish" makes the draft the next version. Participants keep theirs.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core.errors import ApplicationError
from dashboard.flow_forms import ConditionForm, SessionsForm, StepForm, attach_errors, new_key
from dashboard.flow_summary import describe_path, version_view
from flows.definition import step_settings
from flows.models import FlowVersion
from flows.registry import UnknownStepKind, kind_get, kinds
from flows.selectors import condition_counts, flow_version_draft, flow_versions
from flows.services import flow_draft_discard, flow_draft_publish, flow_draft_save, flow_draft_start, flow_live_ensure
from tenants.permissions import StudyPageMixin

QUESTIONNAIRES_URL = "/manage/questionnaires/"


class FlowPageBase(StudyPageMixin, View):
    required_study_perm = "change_settings"

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"study": self.study, "perms": self.study_perms, "questionnaires_url": QUESTIONNAIRES_URL, **extra}

    def draft(self) -> FlowVersion | None:
        return flow_version_draft()

    def no_draft(self, request: HttpRequest) -> HttpResponse:
        messages.error(request, "There is no draft: press “Edit the flow” first.")
        return redirect("study-flow")

    def save(self, request: HttpRequest, definition: dict[str, Any]) -> dict[str, list[str]] | None:
        """Save the draft; the errors by path when the flows service refuses it."""
        try:
            flow_draft_save(acting_user=request.user, definition=definition)
        except ApplicationError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            return details or {"": [exc.message]}
        return None

    def overview_refused(
        self, request: HttpRequest, definition: dict[str, Any], errors: dict[str, list[str]]
    ) -> HttpResponse:
        """The overview again, status 400, with what the service refused (a move, a removal, publishing)."""
        lines = [f"{describe_path(definition, p) or 'The flow'}: {m}" for p, ms in errors.items() for m in ms]
        page = FlowPage()
        page.setup(request)
        page.study, page.study_perms = self.study, self.study_perms
        return page.render_page(request, errors=lines, status=400)


class FlowPage(FlowPageBase):
    """The live version, the draft (with its editing buttons) and the version history."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request)

    def render_page(self, request: HttpRequest, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
        live = flow_live_ensure()
        draft = self.draft()
        joined: dict[int, int] = {}
        for row in condition_counts(include_pilots=True):
            joined[row["version__number"]] = joined.get(row["version__number"], 0) + row["n"]
        context = self.context(
            live=version_view(live),
            draft=version_view(draft) if draft else None,
            history=[(v, joined.get(v.number, 0)) for v in flow_versions()],
            errors=errors or [],
        )
        return render(request, "dashboard/flow.html", context, status=status)


class FlowEdit(FlowPageBase):
    """Start the draft (a copy of the live version), or go on with the one there is."""

    def post(self, request: HttpRequest) -> HttpResponse:
        had = self.draft() is not None
        flow_draft_start(acting_user=request.user)
        if not had:
            messages.success(
                request, "Draft started: a copy of the live flow. Participants see no change until you publish."
            )
        return redirect("/manage/flow/#draft")


class FlowDiscard(FlowPageBase):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            flow_draft_discard(acting_user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Draft discarded. The live flow is unchanged.")
        return redirect("study-flow")


class FlowPublish(FlowPageBase):
    """A confirmation page (what publishing changes and what it does not), then the publication."""

    def get(self, request: HttpRequest) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        context = self.context(draft=version_view(draft), live=version_view(flow_live_ensure()))
        return render(request, "dashboard/flow_publish.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            version = flow_draft_publish(acting_user=request.user)
        except ApplicationError as exc:
            if exc.code == "invalid" and isinstance(exc.details, dict) and exc.details:
                draft = self.draft()
                return self.overview_refused(request, draft.definition if draft else {}, exc.details)
            messages.error(request, exc.message)
            return redirect("study-flow")
        messages.success(
            request, f"Version {version.number} is live. Participants who joined earlier keep their version."
        )
        return redirect("study-flow")


class FlowStepAdd(FlowPageBase):
    """First the kind (from the registry), then that kind's form."""

    def _kind(self, request: HttpRequest) -> Any:
        key = request.POST.get("kind") or request.GET.get("kind") or ""
        if not key:
            return None
        try:
            return kind_get(key)
        except UnknownStepKind:
            return "unknown"

    def get(self, request: HttpRequest) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        kind = self._kind(request)
        if kind == "unknown":
            return HttpResponse("No step kind of that name.", status=400, content_type="text/plain")
        if kind is None:
            return render(request, "dashboard/flow_kind.html", self.context(kinds=kinds()))
        form = StepForm(kind=kind, session_count=draft.definition["sessions"]["count"], adding=True)
        return self._render(request, form, kind)

    def _render(self, request: HttpRequest, form: StepForm, kind: Any, status: int = 200) -> HttpResponse:
        context = self.context(form=form, kind=kind, adding=True, step_key="")
        return render(request, "dashboard/flow_step.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        kind = self._kind(request)
        if kind is None or kind == "unknown":
            return HttpResponse("Choose a step kind.", status=400, content_type="text/plain")
        definition = copy.deepcopy(draft.definition)
        form = StepForm(request.POST, kind=kind, session_count=definition["sessions"]["count"], adding=True)
        if not form.is_valid():
            return self._render(request, form, kind, status=400)
        taken = {s["key"] for s in definition["steps"]}
        key = form.cleaned_data["key"] or new_key(form.cleaned_data["title"] or kind.key, taken, kind.key)
        if key in taken:
            form.add_error("key", "Another step has this key.")
            return self._render(request, form, kind, status=400)
        definition["steps"].append(
            {
                "key": key,
                "kind": kind.key,
                "title": form.cleaned_data["title"] or kind.label,
                "sessions": form.cleaned_data.get("sessions") or [],
                "settings": form.settings(),
            }
        )
        errors = self.save(request, definition)
        if errors:
            _step_errors(form, errors, len(definition["steps"]) - 1, definition)
            return self._render(request, form, kind, status=400)
        messages.success(request, f"Step “{definition['steps'][-1]['title']}” added.")
        return redirect(f"/manage/flow/#step-{key}")


def _step_errors(form: StepForm, errors: dict[str, list[str]], index: int, definition: dict[str, Any]) -> None:
    paths = {f"steps.{index}.title": "title", f"steps.{index}.key": "key", f"steps.{index}.sessions": "sessions"}
    paths.update({f"steps.{index}.settings.{s.name}": f"s_{s.name}" for s in form.kind.fields})
    attach_errors(form, errors, paths, lambda path: describe_path(definition, path))


def _step_index(definition: dict[str, Any], key: str) -> int:
    for i, step in enumerate(definition["steps"]):
        if step["key"] == key:
            return i
    raise Http404("No step of that key.")


class FlowStepEdit(FlowPageBase):
    def _setup(self, request: HttpRequest, key: str) -> tuple[dict[str, Any], int, Any]:
        draft = self.draft()
        if draft is None:
            raise Http404("No draft.")
        definition = copy.deepcopy(draft.definition)
        index = _step_index(definition, key)
        return definition, index, kind_get(definition["steps"][index]["kind"])

    def _render(self, request: HttpRequest, form: StepForm, key: str, status: int = 200) -> HttpResponse:
        context = self.context(form=form, kind=form.kind, adding=False, step_key=key)
        return render(request, "dashboard/flow_step.html", context, status=status)

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        if self.draft() is None:
            return self.no_draft(request)
        definition, index, kind = self._setup(request, key)
        step = definition["steps"][index]
        form = StepForm(
            kind=kind,
            session_count=definition["sessions"]["count"],
            adding=False,
            initial=StepForm.initial_for(step),
        )
        return self._render(request, form, key)

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        if self.draft() is None:
            return self.no_draft(request)
        definition, index, kind = self._setup(request, key)
        step = definition["steps"][index]
        count = definition["sessions"]["count"]
        form = StepForm(request.POST, kind=kind, session_count=count, adding=False, initial=StepForm.initial_for(step))
        if not form.is_valid():
            return self._render(request, form, key, status=400)
        step["title"] = form.cleaned_data["title"] or kind.label
        if "sessions" in form.fields:
            step["sessions"] = form.cleaned_data.get("sessions") or []
        step["settings"] = form.settings()
        errors = self.save(request, definition)
        if errors:
            _step_errors(form, errors, index, definition)
            return self._render(request, form, key, status=400)
        messages.success(request, f"Step “{step['title']}” saved.")
        return redirect(f"/manage/flow/#step-{key}")


class FlowStepMove(FlowPageBase):
    """Move a step up or down, or remove it (``action``: up | down | remove)."""

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        definition = copy.deepcopy(draft.definition)
        index = _step_index(definition, key)
        action = request.POST.get("action", "")
        steps = definition["steps"]
        title = steps[index]["title"]
        if action in ("up", "down"):
            other = index - 1 if action == "up" else index + 1
            if not 0 <= other < len(steps):
                return HttpResponse("The step cannot move further.", status=400, content_type="text/plain")
            steps[index], steps[other] = steps[other], steps[index]
            done = f"Moved “{title}” {action}."
        elif action == "remove":
            steps.pop(index)
            for condition in definition["conditions"]:
                condition["overrides"].pop(key, None)
            done = f"Removed “{title}”."
        else:
            return HttpResponse("Move up, down, or remove.", status=400, content_type="text/plain")
        errors = self.save(request, definition)
        if errors:
            return self.overview_refused(request, definition, errors)
        messages.success(request, done)
        return redirect(f"/manage/flow/#step-{key}" if action != "remove" else "/manage/flow/#draft")


class FlowConditions(FlowPageBase):
    """All conditions on one page: each existing one (label, overrides, remove) and blank ones to add.

    A between-subject design has no condition or at least two, so the first two are added together.
    """

    def _forms(self, definition: dict[str, Any], data: Any = None) -> list[ConditionForm]:
        steps = definition["steps"]
        existing = definition["conditions"]
        blanks = 2 if len(existing) < 2 else 1
        forms_ = [
            ConditionForm(data, prefix=f"c{i}", steps=steps, existing=True, initial=ConditionForm.initial_for(c, steps))
            for i, c in enumerate(existing)
        ]
        forms_ += [
            ConditionForm(data, prefix=f"c{len(existing) + j}", steps=steps, existing=False) for j in range(blanks)
        ]
        return forms_

    def _render(
        self, request: HttpRequest, forms_: list[ConditionForm], top: list[str], status: int = 200
    ) -> HttpResponse:
        context = self.context(condition_forms=forms_, top_errors=top)
        return render(request, "dashboard/flow_conditions.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        return self._render(request, self._forms(draft.definition), [])

    def post(self, request: HttpRequest) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        definition = copy.deepcopy(draft.definition)
        forms_ = self._forms(definition, request.POST)
        if not all(f.is_valid() for f in forms_):
            return self._render(request, forms_, [], status=400)
        kept: list[tuple[ConditionForm, dict[str, Any]]] = []
        taken = {f.cleaned_data["key"] for f in forms_ if f.cleaned_data.get("key")}
        for form in forms_:
            if form.cleaned_data.get("remove") or form.is_blank:
                continue
            label = (form.cleaned_data["label"] or "").strip()
            key = form.cleaned_data["key"]
            if not key:
                key = new_key(label, taken, "condition")
                taken.add(key)
            kept.append((form, {"key": key, "label": label or key, "overrides": form.overrides()}))
        definition["conditions"] = [c for _f, c in kept]
        errors = self.save(request, definition)
        if errors:
            top = _condition_errors(kept, errors, definition)
            return self._render(request, forms_, top, status=400)
        messages.success(
            request, f"Conditions saved: {len(kept)}." if kept else "No conditions: everyone gets the same flow."
        )
        return redirect("/manage/flow/#conditions")


def _condition_errors(
    kept: list[tuple[ConditionForm, dict[str, Any]]], errors: dict[str, list[str]], definition: dict[str, Any]
) -> list[str]:
    """Errors of condition i go on its form (an override's next to its field); the rest above all forms."""
    top: list[str] = []
    for path, messages_ in errors.items():
        parts = path.split(".")
        if parts[0] == "conditions" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(kept):
            form = kept[int(parts[1])][0]
            paths: dict[str, str] = {f"conditions.{parts[1]}.key": "label", f"conditions.{parts[1]}.label": "label"}
            for step, names in form.groups:
                for name in names:
                    setting = name.split("__", 1)[1]
                    paths[f"conditions.{parts[1]}.overrides.{step['key']}.{setting}"] = name
            attach_errors(form, {path: messages_}, paths, lambda p: describe_path(definition, p))
        else:
            top += [f"{describe_path(definition, path) or 'The flow'}: {m}" for m in messages_]
    return top


class FlowSessions(FlowPageBase):
    def _render(self, request: HttpRequest, form: SessionsForm, status: int = 200) -> HttpResponse:
        return render(request, "dashboard/flow_sessions.html", self.context(form=form), status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        return self._render(request, SessionsForm(initial=SessionsForm.initial_for(draft.definition)))

    def post(self, request: HttpRequest) -> HttpResponse:
        draft = self.draft()
        if draft is None:
            return self.no_draft(request)
        form = SessionsForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        definition = copy.deepcopy(draft.definition)
        definition["sessions"] = {"count": form.cleaned_data["count"], "min_gap_hours": form.min_gap_hours()}
        definition["assignment"] = {"repeats": form.cleaned_data["repeats"]}
        errors = self.save(request, definition)
        if errors:
            paths = {"sessions.count": "count", "sessions.min_gap_hours": "gap_days", "assignment.repeats": "repeats"}
            attach_errors(form, errors, paths, lambda p: describe_path(definition, p))
            return self._render(request, form, status=400)
        messages.success(request, "Sessions saved.")
        return redirect("/manage/flow/#sessions")


class FlowPreview(FlowPageBase):
    """A step as a participant sees it (``?version=draft|live``, ``&condition=``); nothing is stored."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        which = request.GET.get("version") or ("draft" if self.draft() else "live")
        if which not in ("draft", "live"):
            return HttpResponse("version is draft or live.", status=400, content_type="text/plain")
        version = self.draft() if which == "draft" else flow_live_ensure()
        if version is None:
            return HttpResponse("There is no draft to preview.", status=400, content_type="text/plain")
        definition = version.definition
        step = next((s for s in definition["steps"] if s["key"] == key), None)
        if step is None:
            raise Http404("No step of that key.")
        condition = request.GET.get("condition", "")
        if condition and condition not in version.condition_keys:
            return HttpResponse("This version has no condition of that key.", status=400, content_type="text/plain")
        kind = kind_get(step["kind"])
        if kind.preview is None:
            return HttpResponse("This kind of step has no preview.", status=400, content_type="text/plain")
        response: HttpResponse = kind.preview(request, step["title"], step_settings(definition, key, condition))
        return response
