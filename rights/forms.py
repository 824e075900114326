"""Forms of the rights pages, and of the retention policy (shown on the dashboard's settings page)."""

from __future__ import annotations

from django import forms


class SignInForm(forms.Form):
    participant_code = forms.RegexField(
        regex=r"^[Pp]-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}$",
        max_length=16,
        error_messages={"invalid": "A participant code looks like P-XXXX-XXXX."},
    )
    secret = forms.CharField(max_length=40, widget=forms.PasswordInput(render_value=False), strip=True)

    def clean_participant_code(self) -> str:
        return self.cleaned_data["participant_code"].upper()


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=2000, min_length=5, widget=forms.TextInput)


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
