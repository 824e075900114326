"""A study's set-up checklist and the participant-view preview (managers, on the study host).

The checklist reads what is true now (consent written, published, the game played through in the
preview, the status, a first participant) instead of ticks someone could forget to untick. The
preview shows the consent page and the game exactly as participants meet them and stores nothing:
the game runs in the page (play.js preview mode) and only "played to the end" reaches the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import View

from consent.forms import ConsentForm
from consent.models import ConsentDocument
from consent.selectors import consent_document_current, consent_document_get, consent_documents_list
from core.links import platform_url
from games.preview import game_preview_response
from pseudonymization.selectors import participant_counts
from tenants.permissions import StudyPageMixin
from tenants.services import StudyError, study_mark_game_checked, study_update

SWITCHABLE = ("draft", "piloting", "recruiting", "closed")
PILOT_RULE = (
    "Everyone who joins while it is piloting is marked as a pilot participant and left out of exports and of the "
    "dashboard's counts and charts (an export can ask for them); recruiting participants are not marked."
)


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str
    action_url: str
    action_label: str


def checklist(study: Any) -> list[Step]:
    documents = consent_documents_list()
    published = next((d for d in documents if d.status == ConsentDocument.Status.PUBLISHED), None)
    counts = participant_counts()
    joined, pilots = counts["joined"], counts["pilots"]
    open_now = study.status in ("piloting", "recruiting")
    checked = study.game_checked_at
    return [
        Step(
            "Write the consent text",
            bool(documents),
            f"{len(documents)} version(s) written." if documents else "No consent text yet.",
            "/manage/consent/",
            "Open the consent page",
        ),
        Step(
            "Publish the consent text",
            published is not None,
            f"Version {published.version} is what participants agree to."
            if published
            else "Participants cannot join until a version is published.",
            "/manage/consent/",
            "Publish a version",
        ),
        Step(
            "Check the game in the preview",
            checked is not None,
            f"Played to the end on {checked:%Y-%m-%d %H:%M} UTC." if checked else "Play the preview to the end once.",
            "/manage/preview/",
            "Preview the participant view",
        ),
        Step(
            "Open the study: piloting or recruiting",
            open_now,
            f"The study is {study.get_status_display().lower()}. " + PILOT_RULE,
            "#status",
            "Change the status",
        ),
        Step(
            "Share the participant link",
            joined > 0,
            (
                f"{joined} participant(s) have joined ({pilots} of them pilot participants)."
                if joined
                else "Nobody has joined yet."
            ),
            platform_url("/"),
            "Link, QR code and panel links",
        ),
    ]


class SetupPage(StudyPageMixin, View):
    required_study_perm = "change_settings"

    def get(self, request: HttpRequest) -> HttpResponse:
        steps = checklist(self.study)
        context = {
            "study": self.study,
            "perms": self.study_perms,
            "steps": steps,
            "done": sum(s.done for s in steps),
            "statuses": [(v, label) for v, label in self.study.Status.choices if v in SWITCHABLE],
        }
        return render(request, "dashboard/setup.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        status = request.POST.get("status", "")
        if status not in SWITCHABLE:
            messages.error(request, "Choose draft, piloting, recruiting or closed.")
            return redirect("study-setup")
        if status in ("piloting", "recruiting") and consent_document_current() is None:
            messages.error(request, "Publish a consent text first: without one, nobody could join.")
            return redirect("study-setup")
        try:
            study_update(study=self.study, status=status)
        except StudyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The study is now {self.study.get_status_display().lower()}.")
        return redirect("study-setup")


def _preview_links() -> dict[str, str]:
    return {"back_url": "/manage/setup/", "game_url": "/manage/preview/game/", "done_url": "/manage/preview/done/"}


class PreviewConsentPage(StudyPageMixin, View):
    """The consent page as participants see it: ``?version=`` a draft, else the published text."""

    required_study_perm = "change_settings"

    def get(self, request: HttpRequest) -> HttpResponse:
        wanted = request.GET.get("version")
        documents = consent_documents_list()
        document = (
            (consent_document_get(version=wanted) if wanted else None)
            or consent_document_current()
            or (documents[0] if documents else None)
        )
        if document is None:
            messages.error(request, "Write a consent text first: the preview starts with it.")
            return redirect("study-setup")
        form = ConsentForm(initial={"consent_version": document.version, "consent_sha256": document.sha256})
        context = {"study": self.study, "document": document, "form": form, "preview": _preview_links()}
        return render(request, "consent/consent.html", context)


class PreviewGamePage(StudyPageMixin, View):
    """The game with a fresh schedule drawn as for a participant, played in the page alone."""

    required_study_perm = "change_settings"

    def get(self, request: HttpRequest) -> HttpResponse:
        return game_preview_response(request, {}, back_url=_preview_links()["back_url"])


class PreviewDone(StudyPageMixin, View):
    """POST from the preview game's end screen: the checklist's "game checked"."""

    required_study_perm = "change_settings"

    def post(self, request: HttpRequest) -> HttpResponse:
        study_mark_game_checked(study=self.study, acting_user=request.user)
        return JsonResponse({"game_checked_at": self.study.game_checked_at.isoformat()})
