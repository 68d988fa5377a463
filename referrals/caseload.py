"""Due items on a keyworker's caseload. Apps above referrals (plans, reviews, TOPs) add their own:

    from referrals import caseload
    caseload.register(due_items)   # due_items(episode_ids) -> dict[episode_id, list[DueItem]]

Each provider must answer for all the episodes in ONE query, so the caseload page costs the same with 5
people as with 60.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone


@dataclass(frozen=True)
class DueItem:
    label: str
    due_on: date | None
    done: bool = False

    @property
    def overdue(self) -> bool:
        return not self.done and self.due_on is not None and self.due_on < timezone.localdate()


DueItemsProvider = Callable[[list[int]], dict[int, list[DueItem]]]

PROVIDERS: list[DueItemsProvider] = []


def register(provider: DueItemsProvider) -> DueItemsProvider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def due_items_for(episode_ids: Iterable[int]) -> dict[int, list[DueItem]]:
    """All due items per episode, soonest first (undated last)."""
    ids = list(episode_ids)
    merged: dict[int, list[DueItem]] = {pk: [] for pk in ids}
    if not ids:
        return merged
    for provider in PROVIDERS:
        for pk, items in provider(ids).items():
            merged.setdefault(pk, []).extend(items)
    for items in merged.values():
        items.sort(key=lambda item: (item.due_on is None, item.due_on or date.max))
    return merged


def _first_contact_due(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    from django.db.models import Exists, OuterRef

    from referrals.choices import CONTACT_METHODS_THAT_COUNT
    from referrals.models import ContactAttempt, Episode

    contacted = ContactAttempt.objects.filter(referral=OuterRef("referral"), method__in=CONTACT_METHODS_THAT_COUNT)
    rows = (
        Episode.objects.filter(pk__in=episode_ids)
        .filter(~Exists(contacted))
        .values_list("pk", "referral__first_contact_due")
    )
    return {pk: [DueItem("First contact", due)] for pk, due in rows}


def _open_tasks(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    from referrals.models import Task

    result: dict[int, list[DueItem]] = {}
    rows = Task.objects.filter(episode_id__in=episode_ids, done_on__isnull=True).values_list(
        "episode_id", "title", "due_on"
    )
    for episode_id, title, due_on in rows:
        result.setdefault(episode_id, []).append(DueItem(title, due_on))
    return result


register(_first_contact_due)
register(_open_tasks)
