"""Forms of the rights pages."""

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
