"""Forms of the study administration pages; they validate and hand over to the services."""

from __future__ import annotations

from django import forms

from tenants.roles import ROLES


class StudySettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    status = forms.ChoiceField(
        choices=[
            ("draft", "Draft: nobody can join"),
            ("piloting", "Piloting: the link works; who joins is marked as a pilot, left out of exports and charts"),
            ("recruiting", "Recruiting: the link works for participants"),
            ("closed", "Closed: nobody new can join; data kept"),
        ],
        widget=forms.RadioSelect,
    )


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
