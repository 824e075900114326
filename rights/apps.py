from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "rights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Withdrawal is recorded by the consent app; the study's protocol decides here what
        # happens to the data collected so far (kept, or erased through a deletion request).
        from rights import receivers  # noqa: F401
