"""The form of the platform host's "new study" page: the study and its game settings in one step.

It was tenants/forms.py until #19; the game's half is games.forms, above tenants, so it lives here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from games.config import DEFAULT_GAME_CONFIG
from games.forms import GameConfigForm
from tenants.models import Study, validate_slug


class StudyCreateForm(GameConfigForm):
    """Slug, title and description, then the game's settings (the defaults filled in)."""

    field_order = ["slug", "title", "description"]

    slug = forms.CharField(
        max_length=40,
        label="Short name (address)",
        help_text="3 to 40 lowercase letters, digits and hyphens, starting with a letter. "
        "The study is then at <slug>.<platform address>; it cannot be changed later.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    title = forms.CharField(max_length=200, help_text="What researchers and participants see.")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="For your team; optional."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", GameConfigForm.initial_from(DEFAULT_GAME_CONFIG))
        super().__init__(*args, **kwargs)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        validate_slug(slug)
        if Study.objects.filter(slug=slug).exists():
            raise ValidationError("A study with this short name already exists.", code="slug_taken")
        return slug
