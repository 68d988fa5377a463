from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Staff, reference data and audit"

    def ready(self):
        from core import path_ids, signals  # noqa: F401  (signals: sign-in auditing and role permission sync)
        from core.api_input import install_serializer_defaults

        install_serializer_defaults()
        path_ids.register()  # before the URL conf is read: its routes use <id:...>
