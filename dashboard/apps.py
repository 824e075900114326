from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Researcher dashboard and exports"
    default_auto_field = "django.db.models.BigAutoField"
