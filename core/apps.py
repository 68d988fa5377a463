from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Staff, reference data and audit"

    def ready(self):
        from core import signals  # noqa: F401  (sign-in auditing and role permission sync)
        from core.api_input import install_serializer_defaults

        install_serializer_defaults()
