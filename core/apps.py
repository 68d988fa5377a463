from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Staff, reference data and audit"

    def ready(self):
        from core import signals  # noqa: F401  (sign-in auditing and role permission sync)
