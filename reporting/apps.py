from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self):
        # Celery and the admin discover `reporting.tasks` and `reporting.admin` only; the dashboard keeps its own.
        from reporting.dashboard import admin, tasks  # noqa: F401
