from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """The compliance console and the audit API: reading the trail by study role (no models).

    It sits above tenants (roles decide whose trail a person reads), which itself writes audit
    entries, so it cannot be part of the audit app (docs/audit.md, "Reading the trail").
    """

    name = "compliance"
