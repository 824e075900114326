from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from questionnaires import flow_step

        flow_step.register()
