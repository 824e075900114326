"""The game settings as a form (study creation and the study's settings page), not a JSON box."""

from __future__ import annotations

from typing import Any

from django import forms

from games.config import GameConfigError, normalize_game_config


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
    pump_confirmation = forms.ChoiceField(
        choices=[
            ("client", "In the browser (fastest; the schedule is sent to the page)"),
            ("server", "By the server, pump by pump (the page never holds the schedule)"),
        ],
        label="Who decides when a balloon pops",
        required=False,  # absent: the browser, as before this setting existed
        initial="client",
        help_text="docs/game.md explains both; the server mode costs one request per pump.",
    )

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
            "pump_confirmation": data.get("pump_confirmation") or "client",
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
