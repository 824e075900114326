from django.apps import AppConfig


class PseudonymizationConfig(AppConfig):
    name = "pseudonymization"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pseudonymization import key_checks  # noqa: F401  (registers the start-up key checks)
