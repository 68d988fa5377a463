"""Find a named module (`demo`, `roles`, `navigation`) in each of our apps, lowest app first.

Lets `core` run a step for every app (seeding, role permissions, menus) without importing any.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

OUR_APPS = (
    "core",
    "referrals",
    "assessment",
    "recovery_plans",
    "prescribing",
    "harm_reduction",
    "worklists",
    "reporting",
)


def app_modules(name: str):
    for config in apps.get_app_configs():
        if config.name in OUR_APPS and find_spec(f"{config.name}.{name}") is not None:
            yield import_module(f"{config.name}.{name}")
