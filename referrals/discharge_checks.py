"""Discharge hook: apps above referrals (recovery_plans) say which modalities are still open.

referrals must not import them, so they register here from their AppConfig.ready():

    from referrals import discharge_checks
    discharge_checks.register(open_modalities)   # open_modalities(episode) -> list[str]

Each callable returns the names of the episode's open modalities; discharge is refused while any is open.
"""

from collections.abc import Callable

OpenModalitiesCheck = Callable[[object], list[str]]

CHECKS: list[OpenModalitiesCheck] = []


def register(check: OpenModalitiesCheck) -> OpenModalitiesCheck:
    if check not in CHECKS:
        CHECKS.append(check)
    return check


def open_modalities(episode) -> list[str]:
    names: list[str] = []
    for check in CHECKS:
        names.extend(check(episode))
    return names
