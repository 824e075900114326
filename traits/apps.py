from django.apps import AppConfig


class TraitsConfig(AppConfig):
    name = "traits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A completed session (games.signals.session_completed) queues the pipeline task.
        from traits import receivers  # noqa: F401
