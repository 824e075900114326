"""The flow builder's forms: a step kind's settings, a step, the conditions and the sessions (no JSON).

A kind's ``SettingField`` becomes a Django form field here; a value left empty is left out of the
step's settings (the kind's defaults, or the study's game settings, apply). An override left empty
is no override. The errors of ``flow_draft_save`` name paths of the definition (``steps.2.settings.body``);
``attach_errors`` puts each next to the field it belongs to, the rest above the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import slugify

from flows.definition import KEY_RE, MAX_GAP_HOURS, MAX_SESSIONS
from flows.registry import SettingField, StepKind, kind_get

NO_OVERRIDE = "Same as the step"


def _lines_to_colors(text: str) -> list[dict[str, Any]]:
    colors = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise forms.ValidationError(f"Cannot read '{line.strip()}': write a name and a number, e.g. 'blue 128'.")
        colors.append({"color": parts[0].lower(), "max_pumps": int(parts[1])})
    return colors


def _choices_of(setting: SettingField, *, override: bool) -> list[tuple[str, str]]:
    choices = list(setting.choices()) if setting.choices else []
    if override:
        return [("", NO_OVERRIDE)] + [(v, label) for v, label in choices if v != ""]
    return choices


def form_field(setting: SettingField, *, override: bool = False, label: str | None = None) -> forms.Field:
    """The form field of one setting; every field may be left empty (empty: not set)."""
    common: dict[str, Any] = {"label": label or setting.label, "required": False, "help_text": setting.help}
    if override:
        common["help_text"] = "Empty: the step's own value."
    kind = setting.type
    if kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), strip=False, **common)
    if kind == "colors":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == "number":
        return forms.DecimalField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == "choice":
        return forms.ChoiceField(choices=_choices_of(setting, override=override), **common)
    if kind == "bool":
        choices = [("", NO_OVERRIDE if override else "Not set"), ("yes", "Yes"), ("no", "No")]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=2000, **common)  # text, list (comma-separated)


def to_setting(setting: SettingField, value: Any) -> Any:
    """A cleaned form value as the kind stores it; None: left empty."""
    if value is None or value == "":
        return None
    if setting.type == "colors":
        return _lines_to_colors(str(value)) or None
    if setting.type == "number":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if setting.type == "bool":
        return value == "yes"
    if setting.type == "list":
        return [part.strip() for part in str(value).split(",") if part.strip()] or None
    return value


def to_initial(setting: SettingField, value: Any) -> Any:
    """A stored setting as the form shows it."""
    if value is None:
        return ""
    if setting.type == "colors" and isinstance(value, list):
        return "\n".join(f"{c.get('color')} {c.get('max_pumps')}" for c in value if isinstance(c, dict))
    if setting.type == "bool":
        return "yes" if value else "no"
    if setting.type == "list" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def keep_choice(field: forms.Field, value: Any) -> None:
    """A stored choice the list no longer offers as such (a pinned "key@version") stays choosable."""
    if not isinstance(field, forms.ChoiceField) or not isinstance(value, str) or not value:
        return
    choices = list(field.choices)
    if any(v == value for v, _label in choices):
        return
    key, _, version = value.partition("@")
    label = next((str(lab) for v, lab in choices if v == key), key)
    field.choices = [(value, f"{label.split(' (')[0]} (version {version}, as saved)" if version else label), *choices]


def _colors_validator(setting: SettingField, field: forms.Field) -> None:
    if setting.type == "colors":
        field.validators.append(_lines_to_colors)


class StepForm(forms.Form):
    """A step: its title, the sessions it appears in, and its kind's settings (``s_<name>``)."""

    title = forms.CharField(max_length=120, required=False, help_text="What participants see as the heading.")
    key = forms.CharField(
        max_length=40,
        required=False,
        label="Key",
        help_text="Names the step in exported data; empty: made from the title. It cannot change later.",
    )
    sessions = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sessions it appears in",
        help_text="None ticked: every session.",
    )

    def __init__(self, *args: Any, kind: StepKind, session_count: int, adding: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["title"].help_text = f"What participants see as the heading; empty: “{kind.label}”."
        if not adding:
            del self.fields["key"]
        if session_count > 1:
            self.fields["sessions"].choices = [(n, f"Session {n}") for n in range(1, session_count + 1)]
        else:
            del self.fields["sessions"]
        for setting in kind.fields:
            field = form_field(setting)
            if setting.type == "choice" and kind.key == "questionnaire":
                field.required = True
            _colors_validator(setting, field)
            keep_choice(field, self.initial.get(f"s_{setting.name}"))
            self.fields[f"s_{setting.name}"] = field

    @staticmethod
    def initial_for(step: dict[str, Any]) -> dict[str, Any]:
        kind = kind_get(step["kind"])
        initial: dict[str, Any] = {"title": step["title"], "sessions": step["sessions"]}
        for setting in kind.fields:
            initial[f"s_{setting.name}"] = to_initial(setting, step["settings"].get(setting.name))
        return initial

    def clean_key(self) -> str:
        key = str(self.cleaned_data.get("key") or "").strip()
        if key and not KEY_RE.match(key):
            raise forms.ValidationError("1 to 40 lowercase letters, digits, '-' or '_', starting with a letter.")
        return key

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for setting in self.kind.fields:
            value = to_setting(setting, self.cleaned_data.get(f"s_{setting.name}"))
            if value is not None:
                out[setting.name] = value
        return out


def new_key(text: str, taken: set[str], fallback: str) -> str:
    """A definition key made from ``text`` (a title or a label), unique among ``taken``."""
    base = slugify(text).replace("-", "_")[:32].strip("_") or fallback
    if not base[0].isalpha():
        base = f"{fallback}_{base}"[:32]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def override_name(step_key: str, setting: str) -> str:
    return f"o_{step_key}__{setting}"


class ConditionForm(forms.Form):
    """One condition: its label and, for each step, an optional override of each overridable setting."""

    label = forms.CharField(max_length=80, required=False, help_text="E.g. “Low reward”.")
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    remove = forms.BooleanField(required=False, label="Remove this condition")

    def __init__(self, *args: Any, steps: list[dict[str, Any]], existing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = steps
        self.groups: list[tuple[dict[str, Any], list[str]]] = []
        if not existing:
            del self.fields["remove"]
        for step in steps:
            names = []
            for setting in kind_get(step["kind"]).fields:
                if not setting.overridable:
                    continue
                name = override_name(step["key"], setting.name)
                field = form_field(setting, override=True)
                _colors_validator(setting, field)
                keep_choice(field, self.initial.get(name))
                self.fields[name] = field
                names.append(name)
            if names:
                self.groups.append((step, names))

    @property
    def group_fields(self) -> list[tuple[dict[str, Any], list[forms.BoundField]]]:
        return [(step, [self[name] for name in names]) for step, names in self.groups]

    @staticmethod
    def initial_for(condition: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
        initial: dict[str, Any] = {"label": condition["label"], "key": condition["key"]}
        for step in steps:
            values = condition["overrides"].get(step["key"], {})
            for setting in kind_get(step["kind"]).fields:
                if setting.overridable and setting.name in values:
                    initial[override_name(step["key"], setting.name)] = to_initial(setting, values[setting.name])
        return initial

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("label") or "").strip() and not self.cleaned_data.get("key")

    def overrides(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for step in self.steps:
            for setting in kind_get(step["kind"]).fields:
                if not setting.overridable:
                    continue
                value = to_setting(setting, self.cleaned_data.get(override_name(step["key"], setting.name)))
                if value is not None:
                    out.setdefault(step["key"], {})[setting.name] = value
        return out


class SessionsForm(forms.Form):
    count = forms.IntegerField(
        min_value=1, max_value=MAX_SESSIONS, label="Number of sessions", help_text="Each session runs its steps."
    )
    gap_days = forms.IntegerField(min_value=0, max_value=MAX_GAP_HOURS // 24, label="Days", initial=0)
    gap_hours = forms.IntegerField(min_value=0, max_value=23, label="Hours", initial=0)
    repeats = forms.IntegerField(
        min_value=1,
        max_value=10,
        label="Each condition per block",
        help_text="Participants are assigned in balanced blocks; a block holds each condition this many times.",
    )

    @staticmethod
    def initial_for(definition: dict[str, Any]) -> dict[str, Any]:
        gap = int(definition["sessions"]["min_gap_hours"])
        return {
            "count": definition["sessions"]["count"],
            "gap_days": gap // 24,
            "gap_hours": gap % 24,
            "repeats": definition["assignment"]["repeats"],
        }

    def min_gap_hours(self) -> int:
        return int(self.cleaned_data["gap_days"]) * 24 + int(self.cleaned_data["gap_hours"])


def attach_errors(form: forms.Form, errors: dict[str, list[str]], paths: dict[str, str], describe: Any) -> None:
    """Put each error of ``flow_draft_save`` on the field ``paths`` maps its path to, else above the form.

    ``paths`` maps a definition path (or a prefix of one, ending in '.') to a field name;
    ``describe(path)`` says in words what an unmapped path is about ("Step 3, Balloon game").
    """
    for path, messages in errors.items():
        name = paths.get(path)
        if name is None:
            name = next((n for p, n in paths.items() if p.endswith(".") and path.startswith(p)), None)
        for message in messages:
            if name is not None and name in form.fields:
                form.add_error(name, message)
            else:
                where = describe(path)
                form.add_error(None, f"{where}: {message}" if where else message)
