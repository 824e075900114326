from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The information page is flows' own step kind; games and questionnaires register theirs.
        from flows import pages

        pages.register()
