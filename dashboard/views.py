"""The researcher dashboard pages (viewer and up): overview, participants, one participant's profile
and session replay, and the exports page (analyst and up). Views only gather selectors and render."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views import View

from dashboard import design_selectors, selectors
from dashboard.replay import replay_from_events
from dashboard.svg import funnel_chart, histogram_chart, replay_chart
from tenants.permissions import StudyPageMixin
from traits.charts import Chart, bipolar_chart

PAGE_SIZE = 25


def _safe(svg: str) -> SafeString:
    """Charts come from dashboard/svg.py and traits/charts.py, which escape every text they place in the markup."""
    return mark_safe(svg)  # noqa: S308


def _figure(chart: Chart) -> Chart:
    """The chart with its SVG marked safe for the template (dashboard/_chart.html renders the rest)."""
    return replace(chart, svg=_safe(chart.svg))


class _Page(StudyPageMixin, View):
    def render(self, request: HttpRequest, template: str, **context: Any) -> HttpResponse:
        return render(request, f"dashboard/{template}", {"study": self.study, "perms": self.study_perms, **context})


class DashboardPage(_Page):
    required_study_perm = "view_aggregate"

    def get(self, request: HttpRequest) -> HttpResponse:
        funnel = selectors.funnel_counts()
        dists = selectors.session_distributions()
        traits = selectors.trait_distributions()
        charts = {
            "funnel": funnel_chart(funnel, title="Recruitment funnel (participants)"),
            "adjusted": histogram_chart(
                dists["adjusted_pumps"],
                title="Adjusted average pumps per session (collected balloons)",
                x_label="adjusted average pumps",
            ),
            "explosions": histogram_chart(
                dists["explosions"],
                title="Explosions per session",
                x_label="balloons popped",
                discrete=True,
                bins=31,  # one bar per count up to 30 balloons popped
            ),
        }
        trait_charts = [
            histogram_chart(
                t["values"],
                title=f"{t['label']}: {t['low_pole']} \N{LEFT RIGHT ARROW} {t['high_pole']}",
                x_label="z score",
                y_label="participants",
                z_scores=True,
                poles=(str(t["low_pole"]), str(t["high_pole"])),
            )
            for t in traits
        ]
        return self.render(
            request,
            "dashboard.html",
            funnel=funnel,
            charts={k: _figure(v) for k, v in charts.items()},
            trait_charts=[_figure(c) for c in trait_charts],
            in_progress=selectors.sessions_in_progress(),
            flag_counts=selectors.quality_flag_counts(),
            flagged=selectors.flagged_sessions(),
            pilots=selectors.pilot_participants_count(),
            design=design_selectors.design_summary(),
            reliability=design_selectors.reliability_summary(),
            validity=design_selectors.validity_summary(),
        )


class ParticipantsPage(_Page):
    required_study_perm = "view_aggregate"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.participants_list(), PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render(request, "participants.html", page=page)


class ParticipantPage(_Page):
    required_study_perm = "view_aggregate"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        from games.selectors import session_events

        participant = selectors.participant_by_code(code=code)
        if participant is None:
            raise Http404
        sessions = selectors.participant_sessions(participant=participant)
        chosen = next(
            (s for s in sessions if str(s.pk) == request.GET.get("session")), sessions[-1] if sessions else None
        )
        replay = None
        if chosen is not None:
            events = replay_from_events(session_events(session=chosen))
            replay = _figure(
                replay_chart(
                    events.balloons,
                    events.away,
                    markers=events.markers,
                    title=f"Session replay: {participant.participant_code}, started {chosen.started_at:%Y-%m-%d %H:%M}",
                )
            )
        from traits.wording import basis, basis_rows

        profile = selectors.participant_profile(participant=participant)
        # The profile's n: the balloons played in the session it was computed from (already annotated).
        profiled = next((s for s in sessions if profile and s.pk == profile.session_id), None)
        n_balloons = getattr(profiled, "n_played", None)
        dimensions = []
        for dim in profile.dimensions if profile else []:
            interval = dim.get("z_interval")
            # Every number with what it stands on: which norm, its n, leave-one-out, or the placeholder.
            extra = basis_rows(dim)
            dimensions.append(
                {
                    **dim,
                    "basis": basis(dim),
                    "chart": _figure(
                        bipolar_chart(
                            low_pole=dim["low_pole"],
                            high_pole=dim["high_pole"],
                            position=dim.get("z"),
                            interval=tuple(interval) if interval else None,
                            title=dim["label"],
                            n=n_balloons,
                            extra_rows=extra,
                        )
                    ),
                }
            )
        return self.render(
            request,
            "participant.html",
            participant=participant,
            sessions=sessions,
            chosen=chosen,
            replay_chart=replay,
            profile=profile,
            dimensions=dimensions,
            design=design_selectors.participant_design(participant=participant),
            questionnaires=design_selectors.participant_questionnaires(participant=participant),
        )


class ExportsPage(_Page):
    required_study_perm = "export_data"

    def get(self, request: HttpRequest) -> HttpResponse:
        from dashboard.export_formats import BALLOON_COLUMNS, HBAYESDM_COLUMNS, TRIAL_COLUMNS, default_scope
        from dashboard.export_questionnaires import ITEM_COLUMNS, PARTICIPANT_COLUMNS, SCORE_COLUMNS
        from dashboard.exports import FORMATS

        selected = request.GET.get("format") if request.GET.get("format") in FORMATS else next(iter(FORMATS))
        return self.render(
            request,
            "exports.html",
            formats=[
                {"key": f.key, "label": f.label, "finished_default": default_scope(f.key).finished_only}
                for f in FORMATS.values()
            ],
            selected=selected,
            finished_default=default_scope(selected).finished_only,
            jobs=selectors.export_jobs_list(),
            dictionaries=[
                ("Trial-level CSV", TRIAL_COLUMNS),
                ("Balloon-level CSV", BALLOON_COLUMNS),
                ("hBayesDM", HBAYESDM_COLUMNS),
                ("Participants", PARTICIPANT_COLUMNS),
                ("Questionnaire scores", SCORE_COLUMNS),
                ("Questionnaire item responses", ITEM_COLUMNS),
            ],
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.contrib import messages

        from core.errors import ApplicationError
        from dashboard.exports import FORMATS
        from dashboard.researcher_apis import scope_or_400
        from dashboard.services import export_job_create

        export_format = request.POST.get("format", "")
        try:
            # The form sends each option as "false" then, when ticked, "true": the last value is the choice.
            scope = scope_or_400(export_format, request.POST)
            export_job_create(acting_user=request.user, export_format=export_format, scope=scope)
            messages.success(request, "Export started; its progress shows below as it goes.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        # Back on the format just used, so the form shows its options again (and its default scope).
        query = f"?format={export_format}" if export_format in FORMATS else ""
        return redirect(reverse("dashboard-exports") + query)
