"""Discharge hook: apps above referrals (recovery_plans) say which modalities are still open.

referrals must not import them, so they register here from their AppConfig.ready():

    from referrals import discharge_checks
    discharge_checks.register(open_modalities)   # open_modalities(episode) -> list[str]

Each callable returns the names of the episode's open modalities; discharge is refused while any is open.

Apps may also register what discharge does to their records, inside the discharge's transaction:

    discharge_checks.register_on_discharge(end_prescriptions)   # end_prescriptions(episode, discharged_on, by)

An action may raise DomainError (field `discharged_on`) to refuse the discharge; nothing is then saved.
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


OnDischarge = Callable[..., None]

ON_DISCHARGE: list[OnDischarge] = []


def register_on_discharge(action: OnDischarge) -> OnDischarge:
    if action not in ON_DISCHARGE:
        ON_DISCHARGE.append(action)
    return action


def discharged(episode, *, discharged_on, by) -> None:
    for action in ON_DISCHARGE:
        action(episode, discharged_on=discharged_on, by=by)
