from django.apps import AppConfig


class PrescribingConfig(AppConfig):
    name = "prescribing"
