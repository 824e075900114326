from django.apps import AppConfig


class PseudonymizationConfig(AppConfig):
    name = "pseudonymization"
    default_auto_field = "django.db.models.BigAutoField"
