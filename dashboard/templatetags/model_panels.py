"""Template tags of the model panels: `{% study_models_panel %}` and `{% participant_models_panel p %}`.

Tags, so that the pages that show model parameters need one line each (dashboard/model_panels.py
gathers the data; the templates are dashboard/_study_models.html and _participant_models.html).
"""

from __future__ import annotations

from typing import Any

from django import template

from dashboard import model_panels

register = template.Library()


@register.inclusion_tag("dashboard/_study_models.html", takes_context=True)
def study_models_panel(context: Any) -> dict[str, Any]:
    return {
        **model_panels.study_models_panel(),
        "perms": context.get("perms", set()),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("dashboard/_participant_models.html")
def participant_models_panel(participant: Any) -> dict[str, Any]:
    return {"models": model_panels.participant_models_panel(participant=participant)}
