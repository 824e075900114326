"""Questionnaires for managers on the study host: the list, importing a shipped scale, authoring, preview.

Authoring never shows JSON: the page is one form (details, the items so far, the item being
written, the scales) whose every button posts everything typed, so nothing is lost whichever
button is pressed. The work in progress lives in the session (dashboard.questionnaire_draft)
until "Save as a new version" calls questionnaires.services.questionnaire_save, which audits.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core.errors import ApplicationError
from dashboard import questionnaire_draft as drafts
from dashboard.questionnaire_forms import FREE_TEXT_WARNING, DetailsForm, ItemForm, ScaleForm
from questionnaires.library import UnknownScale, shipped_scales
from questionnaires.selectors import (
    questionnaire_latest,
    questionnaire_version_counts,
    questionnaire_versions,
    questionnaires_latest,
)
from questionnaires.services import questionnaire_import_shipped, questionnaire_save
from questionnaires.views import questionnaire_preview_response
from tenants.permissions import StudyPageMixin

LIST_URL = "study-questionnaires"
DRAFT_URL = "study-questionnaire-draft"
VERSION_RULE = (
    "Saving makes a new version; earlier versions stay exactly as they were. "
    "Flows already published keep the version they named."
)


def _summary(definition: dict[str, Any]) -> dict[str, Any]:
    scales = definition.get("scales", [])
    return {
        "items": len(definition.get("items", [])),
        "scales": [s["label"] for s in scales],
        "subscales": sum(len(s.get("subscales", [])) for s in scales),
        "citation": definition.get("source", ""),
        "licence": definition.get("licence"),
    }


class QuestionnairesPage(StudyPageMixin, View):
    required_study_perm = "change_settings"

    def get(self, request: HttpRequest) -> HttpResponse:
        counts = questionnaire_version_counts()
        rows = [
            {
                "q": q,
                "versions": counts.get(q.key, 1),
                "version_numbers": range(q.version, 0, -1),
                **_summary(q.definition),
            }
            for q in questionnaires_latest()
        ]
        present = {row["q"].key for row in rows}
        library = [
            {
                "key": s["key"],
                "title": s["title"],
                "citation": s["source"],
                "licence": s["licence"],
                "items": len(s["items"]),
                "imported": s["key"] in present,
            }
            for s in shipped_scales()
        ]
        draft = drafts.load(request.session, self.study.slug)
        context = {"study": self.study, "perms": self.study_perms, "rows": rows, "library": library, "draft": draft}
        return render(request, "dashboard/questionnaires.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        key = request.POST.get("import", "")
        try:
            row = questionnaire_import_shipped(acting_user=request.user, key=key)
        except UnknownScale:
            messages.error(request, "There is no published scale with that key.")
        else:
            messages.success(request, f"“{row.title}” is now a questionnaire of this study (version {row.version}).")
        return redirect(LIST_URL)


class QuestionnaireStart(StudyPageMixin, View):
    """POST: start writing — a new questionnaire, or (``key``) the next version of an existing one."""

    required_study_perm = "change_settings"

    def post(self, request: HttpRequest, key: str | None = None) -> HttpResponse:
        if key is None:
            draft = drafts.empty_draft()
        else:
            latest = questionnaire_latest(key=key)
            if latest is None:
                raise Http404
            draft = drafts.from_version(latest)
        drafts.store(request.session, self.study.slug, draft)
        return redirect(DRAFT_URL)


class QuestionnairePreview(StudyPageMixin, View):
    """The questionnaire as participants see it (``?version=``, else the latest); nothing is stored."""

    required_study_perm = "change_settings"

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        wanted = request.GET.get("version", "")
        versions = {q.version for q in questionnaire_versions(key=key)}
        if not versions or (wanted and (not wanted.isdigit() or int(wanted) not in versions)):
            raise Http404
        ref = f"{key}@{wanted}" if wanted else key
        return questionnaire_preview_response(
            request, "", {"questionnaire": ref}, back_url="/manage/questionnaires/", back_label="Back to questionnaires"
        )


class QuestionnaireDraftPage(StudyPageMixin, View):
    required_study_perm = "change_settings"

    def get(self, request: HttpRequest) -> HttpResponse:
        draft = drafts.load(request.session, self.study.slug)
        if draft is None:
            messages.info(request, "Start with “Write a questionnaire” or “Write a new version”.")
            return redirect(LIST_URL)
        return self._render(request, draft)

    def post(self, request: HttpRequest) -> HttpResponse:
        draft = drafts.load(request.session, self.study.slug)
        if draft is None:
            messages.error(request, "This draft is gone (signed out or discarded); start again.")
            return redirect(LIST_URL)
        action, _, arg = request.POST.get("action", "").partition(":")
        details = DetailsForm(request.POST, prefix="q")
        self._keep_details(draft, details)
        item_form = self._item_form(draft, request.POST)
        scale_form = self._scale_form(draft, request.POST)
        draft["pending_item"] = {name: item_form[name].value() for name in item_form.fields}
        draft["pending_scale"] = {name: scale_form[name].value() for name in scale_form.fields}
        index = int(arg) if arg.isdigit() else -1
        bound: dict[str, Any] = {}
        if action == "discard":
            drafts.clear(request.session, self.study.slug)
            messages.info(request, "The draft was discarded; nothing was saved.")
            return redirect(LIST_URL)
        if action == "save":
            return self._save(request, draft, details)
        if action in ("add_item", "save_item"):
            if item_form.is_valid() and item_form.item is not None:
                editing = draft.get("editing")
                if action == "save_item" and isinstance(editing, int) and editing < len(draft["items"]):
                    draft["items"][editing] = item_form.item
                else:
                    draft["items"].append(item_form.item)
                draft["pending_item"], draft["editing"] = None, None
            else:
                bound["item_form"] = item_form
        elif action == "cancel_edit":
            draft["pending_item"], draft["editing"] = None, None
        elif action == "edit" and 0 <= index < len(draft["items"]):
            draft["editing"] = index
            draft["pending_item"] = ItemForm.initial_from(draft["items"][index])
        elif action in ("up", "down") and 0 <= index < len(draft["items"]):
            self._move(draft, index, -1 if action == "up" else 1)
        elif action == "remove" and 0 <= index < len(draft["items"]):
            draft["items"].pop(index)
            draft["editing"] = None if draft.get("editing") == index else draft.get("editing")
            if isinstance(draft["editing"], int) and draft["editing"] > index:
                draft["editing"] -= 1
        elif action == "add_scale":
            if scale_form.is_valid():
                draft["scales"].append(scale_form.scale())
                draft["pending_scale"] = None
            else:
                bound["scale_form"] = scale_form
        elif action == "remove_scale" and 0 <= index < len(draft["scales"]):
            drafts.remove_scale(draft, index)
        drafts.store(request.session, self.study.slug, draft)
        if bound:
            return self._render(request, draft, **bound)
        anchor = {"add_item": "items", "save_item": "items", "add_scale": "scales", "remove_scale": "scales"}
        where = anchor.get(action, "item-form" if action == "edit" else "items" if arg else "details")
        return redirect(f"/manage/questionnaires/draft/#{where}")

    # --- helpers ----------------------------------------------------------------------------

    def _keep_details(self, draft: dict[str, Any], details: DetailsForm) -> None:
        """Whatever is typed in the details is kept, valid or not (checked on save)."""
        data = {name: details[name].value() for name in details.fields}
        draft["title"] = str(data["title"] or "")
        draft["instructions"] = str(data["instructions"] or "")
        draft["export_free_text"] = bool(data["export_free_text"])
        if draft["base_key"]:
            draft["key"] = draft["base_key"]  # a new version keeps its questionnaire's key
        else:
            typed = str(data["key"] or "").strip()
            draft["key"] = typed or drafts.key_from_title(draft["title"])

    def _item_form(self, draft: dict[str, Any], data: Any = None) -> ItemForm:
        editing = draft.get("editing")
        taken = {it["key"] for i, it in enumerate(draft["items"]) if i != editing}
        kwargs: dict[str, Any] = {"prefix": "item", "scale_choices": drafts.scale_choices(draft), "taken_keys": taken}
        if data is not None:
            return ItemForm(data, **kwargs)
        return ItemForm(initial=draft.get("pending_item") or None, **kwargs)

    def _scale_form(self, draft: dict[str, Any], data: Any = None) -> ScaleForm:
        parents = [(s["key"], s["label"]) for s in draft["scales"] if not s.get("parent")]
        kwargs: dict[str, Any] = {
            "prefix": "scale",
            "parents": parents,
            "taken_keys": {s["key"] for s in draft["scales"]},
        }
        if data is not None:
            return ScaleForm(data, **kwargs)
        return ScaleForm(initial=draft.get("pending_scale") or None, **kwargs)

    @staticmethod
    def _move(draft: dict[str, Any], index: int, step: int) -> None:
        items, other = draft["items"], index + step
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            if draft.get("editing") in (index, other):
                draft["editing"] = other if draft["editing"] == index else index

    def _save(self, request: HttpRequest, draft: dict[str, Any], details: DetailsForm) -> HttpResponse:
        drafts.store(request.session, self.study.slug, draft)
        errors: dict[str, Any] = {"details": {}, "items": {}, "scales": {}, "general": []}
        if not draft["title"].strip():
            errors["details"]["title"] = ["Give the questionnaire a title."]
        elif not draft["key"] or len(draft["key"]) > drafts.KEY_MAX:
            errors["details"]["key"] = [
                f"Give a key of at most {drafts.KEY_MAX} lower-case letters, digits and hyphens."
            ]
        if not draft["base_key"] and draft["key"] and questionnaire_latest(key=draft["key"]) is not None:
            errors["details"]["key"] = [
                f"This study already has a questionnaire with the key '{draft['key']}'. Choose another key, "
                "or open that questionnaire from the list to write its next version."
            ]
        if str((draft.get("pending_item") or {}).get("text") or "").strip():
            errors["general"].append(
                "The item form below still holds a question you typed but did not add: press “Add the item” "
                "(or “Save this item”) or clear its text, then save."
            )
        definition, scale_paths = drafts.to_definition(draft)
        if not errors["general"] and not any(errors["details"].values()):
            try:
                row = questionnaire_save(
                    acting_user=request.user,
                    key=draft["key"],
                    title=draft["title"].strip(),
                    definition=definition,
                    source="custom",
                )
            except ApplicationError as exc:
                errors = drafts.split_errors(exc.details or {}, scale_paths)
            else:
                drafts.clear(request.session, self.study.slug)
                if draft["base_version"] is not None and row.version == draft["base_version"]:
                    messages.info(request, f"Nothing changed: version {row.version} of “{row.title}” stays the latest.")
                else:
                    messages.success(request, f"Saved “{row.title}” as version {row.version}. {VERSION_RULE}")
                return redirect(LIST_URL)
        return self._render(request, draft, errors=errors, status=400)

    def _render(
        self,
        request: HttpRequest,
        draft: dict[str, Any],
        *,
        item_form: ItemForm | None = None,
        scale_form: ScaleForm | None = None,
        errors: dict[str, Any] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        errors = errors or {"details": {}, "items": {}, "scales": {}, "general": []}
        details = DetailsForm(
            initial={k: draft[k] for k in ("title", "key", "instructions", "export_free_text")}, prefix="q"
        )
        labels = dict(drafts.scale_choices(draft))
        items = [
            {
                "n": i + 1,
                "index": i,
                "item": it,
                "scale_label": labels.get(it.get("scale") or "", ""),
                "errors": errors["items"].get(i, []),
            }
            for i, it in enumerate(draft["items"])
        ]
        scales = [
            {
                "index": i,
                "scale": s,
                "errors": errors["scales"].get(i, []),
                "members": sum(1 for it in draft["items"] if it.get("scale") == s["key"]),
            }
            for i, s in enumerate(draft["scales"])
        ]
        context = {
            "study": self.study,
            "perms": self.study_perms,
            "draft": draft,
            "details": details,
            "detail_errors": errors["details"],
            "general_errors": errors["general"],
            "has_errors": any(errors[k] for k in errors),
            "items": items,
            "scales": scales,
            "item_form": item_form or self._item_form(draft),
            "scale_form": scale_form or self._scale_form(draft),
            "editing": draft.get("editing"),
            "free_text_warning": FREE_TEXT_WARNING,
            "version_rule": VERSION_RULE,
        }
        return render(request, "dashboard/questionnaire_author.html", context, status=status)
