"""Hook: a person's community orders, episodes or modalities changed in a way a stored clock depends on.

The prescribing clock's due date is stored on each modality (`Modality.start_due_on`) and depends on the
person's DRR orders and on their other modalities (domain.md 6b, "DRR5 / RX10 start"). referrals and
recovery_plans must not import prescribing, so prescribing registers its refresh here from its
AppConfig.ready(), and the services that change those inputs call `changed` in their transaction:

    from referrals import clock_inputs
    clock_inputs.register(refresh)      # refresh(person_ids)
    clock_inputs.changed([person.pk])
"""

from collections.abc import Callable, Iterable

Refresh = Callable[[list[int]], object]

REFRESHES: list[Refresh] = []


def register(refresh: Refresh) -> Refresh:
    if refresh not in REFRESHES:
        REFRESHES.append(refresh)
    return refresh


def changed(person_ids: Iterable[int]) -> None:
    ids = sorted(set(person_ids))
    for refresh in REFRESHES:
        refresh(ids)
