"""Forms of the study administration pages; they validate and hand over to the services."""

from __future__ import annotations

from typing import Any

from django import forms

from games.config import GameConfigError, normalize_game_config
from tenants.roles import ROLES


class StudySettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    status = forms.ChoiceField(choices=[("draft", "Draft"), ("recruiting", "Recruiting"), ("closed", "Closed")])


class GameConfigForm(forms.Form):
    variant = forms.ChoiceField(
        choices=[("standard", "Standard (pump by pump)"), ("automatic", "Automatic (choose pumps up front)")]
    )
    balloons_per_color = forms.IntegerField(min_value=1, max_value=200)
    colors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One colour per line: name and maximum pumps, e.g. 'blue 128'.",
    )
    reward_per_pump = forms.DecimalField(min_value=0, max_digits=8, decimal_places=4)
    currency = forms.CharField(max_length=3, min_length=3)
    block_size = forms.IntegerField(min_value=1, max_value=100)

    @staticmethod
    def initial_from(config: dict[str, Any]) -> dict[str, Any]:
        return {
            **config,
            "colors": "\n".join(f"{c['color']} {c['max_pumps']}" for c in config.get("colors", [])),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        colors = []
        for line in (data.get("colors") or "").splitlines():
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit():
                self.add_error("colors", f"Cannot read '{line.strip()}': write a name and a number.")
                return data
            colors.append({"color": parts[0].lower(), "max_pumps": int(parts[1])})
        config = {
            "variant": data.get("variant"),
            "balloons_per_color": data.get("balloons_per_color"),
            "colors": colors,
            "reward_per_pump": float(data["reward_per_pump"]) if data.get("reward_per_pump") is not None else None,
            "currency": (data.get("currency") or "").upper(),
            "block_size": data.get("block_size"),
            # The redirect lives in the consent settings (one place); the game's copy is kept as it was.
            "completion_redirect_url": self.initial.get("completion_redirect_url"),
        }
        try:
            data["config"] = normalize_game_config(config)
        except GameConfigError as exc:
            for path, message in exc.errors.items():
                field = path.split(".")[1] if path.count(".") else None
                self.add_error(field if field in self.fields else None, message)
        return data


class RetentionForm(forms.Form):
    erase_identifiers_after_days = forms.IntegerField(
        min_value=1,
        max_value=36500,
        required=False,
        help_text="Erase encrypted panel identifiers this many days after a participant's last session. "
        "Empty: keep until the study is closed.",
    )
    erase_raw_events_after_days = forms.IntegerField(
        min_value=1,
        max_value=36500,
        required=False,
        help_text="Erase raw game events (metrics and profiles stay) this many days after the session. Empty: keep.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="What the ethics approval says about retention, for the record.",
    )


class GrantRoleForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=[(r, r.capitalize()) for r in ROLES])


class RevokeRoleForm(forms.Form):
    username = forms.CharField(max_length=150)
