"""The study admin page with the study's game settings shown read-only (tenants/admin.py plus one row).

The settings live in the study's schema (games.GameSettings) and games sits above tenants, so the
row is added here by re-registering the tenants' StudyAdmin with it.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django_tenants.utils import tenant_context

from games.selectors import game_settings_get
from tenants.admin import StudyAdmin
from tenants.models import Study


def _after_status(names: tuple[str, ...]) -> tuple[str, ...]:
    at = names.index("status") + 1 if "status" in names else len(names)
    return (*names[:at], "game_settings", *names[at:])


class StudyWithGameAdmin(StudyAdmin):
    # The game configuration is validated, versioned and audited by the study's settings page; a raw
    # JSON box here would skip all three, so the admin only shows it and links there.
    readonly_fields = (*StudyAdmin.readonly_fields, "game_settings")
    fields = _after_status(tuple(StudyAdmin.fields or ()))

    @admin.display(description="Game configuration")
    def game_settings(self, obj: Study) -> str:
        settings_url = reverse("platform-open-study", kwargs={"slug": obj.slug, "target": "settings"})
        link = format_html('<a href="{}">Change it on the settings page of the study</a>', settings_url)
        with tenant_context(obj):
            config = game_settings_get().config
        if not config:
            return format_html("The standard Balloon game. {}", link)
        rows = format_html_join("", "<li>{}: {}</li>", sorted(config.items()))
        return format_html("<ul>{}</ul>{}", rows, link)


admin.site.unregister(Study)
admin.site.register(Study, StudyWithGameAdmin)
