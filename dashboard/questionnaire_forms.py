"""Forms of the questionnaire authoring page: the details, one item, one scale.

An item is checked as the definition format checks it (``validate_definition`` on a one-item
definition) as soon as it is added, so a problem shows next to the field it is about; the whole
questionnaire (scales, keys across items) is checked again when it is saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

from dashboard.questionnaire_draft import unique_item_key
from questionnaires.definition import DefinitionError, validate_definition

ITEM_TYPES = [
    ("likert", "Rating scale (likert)"),
    ("single", "One choice"),
    ("multiple", "Several choices"),
    ("number", "Number"),
    ("text", "Free text"),
]
FREE_TEXT_WARNING = (
    "Free text may contain anything a participant types, including names or other details that identify them. "
    "Participants are asked not to; the answers are treated as potentially identifying."
)
EXPORT_FREE_TEXT_HELP = (
    "Off (recommended): exports leave out the answers to free-text items, since they may identify someone. "
    "On: exports include them; only do this if your ethics approval and consent text cover it."
)


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class DetailsForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What participants see at the top of the page.")
    key = forms.SlugField(
        max_length=40,
        required=False,
        label="Key",
        help_text="Names the questionnaire in flows and exports. Left blank: made from the title.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    instructions = forms.CharField(required=False, widget=_area(3), help_text="Shown above the questions.")
    export_free_text = forms.BooleanField(
        required=False, label="Include free-text answers in exports", help_text=EXPORT_FREE_TEXT_HELP
    )


def _number(text: str) -> int | float | str:
    try:
        value = float(text)
    except ValueError:
        return text  # left for the definition check to refuse, next to the field
    return int(value) if value.is_integer() else value


def parse_options(text: str) -> list[dict[str, str]]:
    """One option a line: ``value | label``, or a label alone (its value is then made from it)."""
    options = []
    for n, line in enumerate((ln.strip() for ln in text.splitlines() if ln.strip()), start=1):
        value, sep, label = line.partition("|")
        if sep:
            options.append({"value": value.strip(), "label": label.strip()})
        else:
            options.append({"value": slugify(line)[:40] or str(n), "label": line})
    return options


def parse_anchors(text: str) -> list[str] | dict[str, str]:
    """Labels one a line (first and last, or every point), or ``point | label`` lines."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    pairs = [ln.partition("|") for ln in lines]
    if lines and all(sep and point.strip().lstrip("-").isdigit() for point, sep, _ in pairs):
        return {point.strip(): label.strip() for point, _, label in pairs}
    return lines


def anchors_text(anchors: Any) -> str:
    if isinstance(anchors, dict):
        return "\n".join(f"{point} | {label}" for point, label in anchors.items())
    return "\n".join(anchors or [])


def options_text(options: list[dict[str, str]] | None) -> str:
    return "\n".join(f"{o['value']} | {o['label']}" for o in options or [])


# Where the definition check's complaints about an item go on the form.
_ERROR_FIELD = {
    "key": "key",
    "text": "text",
    "type": "type",
    "required": "required",
    "points": "points",
    "anchors": "anchors",
    "options": "options",
    "max": "number_max",
    "integer": "integer",
    "max_length": "max_length",
    "attention_check": "attention_expected",
    "reverse": "reverse",
}


class ItemForm(forms.Form):
    type = forms.ChoiceField(choices=ITEM_TYPES, label="Type of question")
    text = forms.CharField(label="Question text", widget=_area(2), max_length=1000)
    key = forms.SlugField(
        max_length=30,
        required=False,
        label="Item key",
        help_text="For exports. Left blank: made from the question text.",
    )
    required = forms.BooleanField(required=False, initial=True, label="An answer is required")
    points = forms.IntegerField(required=False, initial=5, label="Number of points", help_text="2 to 11.")
    likert_min = forms.IntegerField(required=False, initial=1, label="Value of the lowest point")
    anchors = forms.CharField(
        required=False,
        widget=_area(5),
        label="Point labels",
        help_text="One label a line: either the first and the last label, or one for every point "
        "(or lines like “3 | Neutral”).",
    )
    options = forms.CharField(
        required=False,
        widget=_area(4),
        label="Options",
        help_text="One option a line, either “value | label” (the value is what is stored) or just the label.",
    )
    number_min = forms.CharField(required=False, label="Smallest allowed", help_text="Optional.")
    number_max = forms.CharField(required=False, label="Largest allowed", help_text="Optional.")
    integer = forms.BooleanField(required=False, label="Whole numbers only")
    max_length = forms.IntegerField(required=False, initial=200, label="Longest answer (characters)")
    attention_expected = forms.CharField(
        required=False,
        label="Attention check: expected answer",
        help_text="Leave blank unless this item checks attention. The value participants must give "
        "(for several choices: every value to tick, separated by commas). A check item is not scored.",
    )
    scale = forms.ChoiceField(
        required=False, label="Counts in scale", help_text="Rating and number items only; define scales below."
    )
    reverse = forms.BooleanField(
        required=False, label="Reverse keyed", help_text="Rating items only: the highest point scores lowest."
    )

    def __init__(self, *args: Any, scale_choices: list[tuple[str, str]], taken_keys: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = scale_choices
        self.taken_keys = taken_keys
        self.item: dict[str, Any] | None = None

    def _expected(self, kind: str, text: str) -> Any:
        if kind == "multiple":
            return [v.strip() for v in text.split(",") if v.strip()]
        if kind in ("likert", "number"):
            return _number(text)
        return text

    def build(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["type"]
        key = data.get("key") or unique_item_key(data.get("text", ""), self.taken_keys)
        item: dict[str, Any] = {"key": key, "type": kind, "text": data.get("text", ""), "required": data["required"]}
        if kind == "likert":
            item["points"] = data.get("points")
            item["min"] = 1 if data.get("likert_min") is None else data["likert_min"]
            item["anchors"] = parse_anchors(data.get("anchors", ""))
            item["reverse"] = bool(data.get("reverse"))
        elif kind in ("single", "multiple"):
            item["options"] = parse_options(data.get("options", ""))
        elif kind == "number":
            low, high = data.get("number_min", "").strip(), data.get("number_max", "").strip()
            item.update(min=_number(low) if low else None, max=_number(high) if high else None)
            item["integer"] = bool(data.get("integer"))
        else:
            item["max_length"] = 200 if data.get("max_length") is None else data["max_length"]
        if data.get("attention_expected", "").strip():
            item["attention_check"] = {"expected": self._expected(kind, data["attention_expected"].strip())}
        item["scale"] = data.get("scale") or None
        return item

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        item = self.build()
        if item["key"] in self.taken_keys:
            self.add_error("key", f"Another item already has the key '{item['key']}'.")
        if item["scale"] and item["type"] not in ("likert", "number"):
            self.add_error("scale", "Only rating and number items count in a scale.")
        if item["scale"] and item.get("attention_check"):
            self.add_error("scale", "An attention check is not scored: choose “Not scored” or clear the check.")
        check = {k: v for k, v in item.items() if k != "scale" and v is not None}
        try:
            validate_definition({"items": [check]})
        except DefinitionError as exc:
            for path, messages in exc.errors.items():
                parts = path.split(".")
                field = parts[2] if len(parts) > 2 else ""
                target = _ERROR_FIELD.get(field)
                if field == "min":
                    target = "likert_min" if item["type"] == "likert" else "number_min"
                for message in messages:
                    self.add_error(target, message)
        if not self.errors:
            self.item = item
        return cleaned

    @classmethod
    def initial_from(cls, item: dict[str, Any]) -> dict[str, Any]:
        """The form's values for a draft item being edited."""
        check = item.get("attention_check") or {}
        expected = check.get("expected", "")
        initial: dict[str, Any] = {
            "type": item["type"],
            "text": item["text"],
            "key": item["key"],
            "required": item.get("required", True),
            "scale": item.get("scale") or "",
            "reverse": bool(item.get("reverse")),
            "attention_expected": ", ".join(map(str, expected)) if isinstance(expected, list) else str(expected),
        }
        if item["type"] == "likert":
            initial.update(points=item["points"], likert_min=item.get("min", 1), anchors=anchors_text(item["anchors"]))
        elif item["type"] in ("single", "multiple"):
            initial["options"] = options_text(item["options"])
        elif item["type"] == "number":
            low, high = item.get("min"), item.get("max")
            initial.update(
                number_min="" if low is None else str(low),
                number_max="" if high is None else str(high),
                integer=bool(item.get("integer")),
            )
        else:
            initial["max_length"] = item.get("max_length", 200)
        return initial


class ScaleForm(forms.Form):
    key = forms.SlugField(max_length=40, label="Scale key", help_text="For exports, e.g. “anxiety”.")
    label = forms.CharField(max_length=120, label="Label", help_text="The score's name, e.g. “Anxiety”.")
    method = forms.ChoiceField(choices=[("mean", "Mean of the items"), ("sum", "Sum of the items")], initial="mean")
    min_answered = forms.CharField(
        required=False,
        label="Minimum answered",
        help_text="The fewest answered items that still give a score: a count (e.g. 4) or a fraction (e.g. 0.8). "
        "Blank: every item.",
    )
    parent = forms.ChoiceField(required=False, label="Subscale of", help_text="Blank: a scale of its own.")

    def __init__(self, *args: Any, parents: list[tuple[str, str]], taken_keys: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "— none: a scale of its own —"), *parents]
        self.taken_keys = taken_keys

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if key in self.taken_keys:
            raise forms.ValidationError("Another scale or subscale already has this key.")
        return key

    def clean_min_answered(self) -> int | float | None:
        text = self.cleaned_data.get("min_answered", "").strip()
        if not text:
            return None
        value = _number(text)
        if isinstance(value, str) or value <= 0 or (isinstance(value, float) and value > 1):
            raise forms.ValidationError("Give a whole number of items (e.g. 4) or a fraction above 0, at most 1.")
        return value

    def scale(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": data["key"],
            "label": data["label"],
            "method": data["method"],
            "min_answered": data.get("min_answered"),
            "parent": data.get("parent") or None,
        }
