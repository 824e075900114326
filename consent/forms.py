"""Forms of the consent pages (HTML flow on the study host)."""

from __future__ import annotations

from django import forms


class ConsentForm(forms.Form):
    """The agreement: which exact version was shown, and an explicit, unticked checkbox."""

    consent_version = forms.CharField(max_length=32, widget=forms.HiddenInput)
    consent_sha256 = forms.RegexField(r"^[0-9a-fA-F]{64}$", widget=forms.HiddenInput)
    # The sealed panel id (pseudonymization.carry), never the id itself.
    carry = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    agree = forms.BooleanField(
        required=True,
        label="I have read the information above and I agree to take part.",
        error_messages={"required": "Tick the box to agree, or choose “I do not agree”."},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason (optional — you do not have to give one)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DraftForm(forms.Form):
    version = forms.CharField(max_length=32, label="Version label", help_text="e.g. 1.1 — used once, never reused.")
    title = forms.CharField(max_length=200)
    language = forms.CharField(max_length=16, initial="en")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label="Text")


class ConsentSettingsForm(forms.Form):
    external_id_params = forms.CharField(
        max_length=500,
        required=False,
        label="Panel id parameters",
        help_text="Query parameters of the study link that carry a survey-panel id, comma-separated, first match wins.",
    )
    require_reconsent = forms.BooleanField(
        required=False, label="Require everyone to agree again when a new version is published"
    )
    token_lifetime_hours = forms.IntegerField(
        min_value=1, max_value=24 * 90, label="Participant login lifetime (hours)"
    )
    completion_url = forms.CharField(
        max_length=500,
        required=False,
        label="Completion URL",
        help_text="Shown after the game, e.g. https://app.prolific.com/submissions/complete?cc=CODE. "
        "{participant_code} is replaced by the participant's code.",
    )

    def clean_external_id_params(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data["external_id_params"].split(",") if p.strip()]
