from django.apps import AppConfig


class RecoveryPlansConfig(AppConfig):
    name = "recovery_plans"
