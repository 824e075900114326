"""Study links for survey panels: where each panel substitutes its participant id into the link.

The placeholders are the panels' own documented syntax: Prolific's URL parameters
(``{{%PROLIFIC_PID%}}``), SONA's external study URL (``%SURVEY_CODE%``); MTurk's ExternalQuestion
appends ``workerId``/``assignmentId``/``hitId`` to the link itself, so its link carries no placeholder.
Only parameters the study reads (its consent settings' ``external_id_params``) are offered.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PanelLink:
    panel: str
    parameter: str
    link: str | None  # None: the study does not read ``parameter`` yet
    note: str


_PANELS = (
    ("Prolific", "PROLIFIC_PID", "{url}?PROLIFIC_PID={{{{%PROLIFIC_PID%}}}}",
     "Paste as the study URL; Prolific fills in each participant's id."),
    ("Amazon MTurk", "workerId", "{url}",
     "Use as the ExternalQuestion URL; MTurk adds workerId, assignmentId and hitId itself."),
    ("SONA Systems", "participant", "{url}?participant=%SURVEY_CODE%",
     "Paste as the study URL; SONA replaces %SURVEY_CODE% with the participant's id code."),
)  # fmt: skip


def panel_links_for(*, url: str, external_id_params: list[str]) -> list[PanelLink]:
    """Each known panel's link for the study at ``url`` (pure: no database)."""
    links = []
    for panel, parameter, template, note in _PANELS:
        readable = parameter in external_id_params
        links.append(
            PanelLink(
                panel=panel,
                parameter=parameter,
                link=template.format(url=url) if readable else None,
                note=note if readable else f"Add “{parameter}” to the panel id parameters on the Consent page first.",
            )
        )
    return links
