"""Forms of the study administration pages; they validate and hand over to the services.

The retention policy's form is rights.forms.RetentionForm (rights owns the policy)."""

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


class GrantRoleForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=[(r, r.capitalize()) for r in ROLES])


class RevokeRoleForm(forms.Form):
    username = forms.CharField(max_length=150)
