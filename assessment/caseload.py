"""Caseload due items from the assessment: "TOP review due" and "Assessment due" (registered in apps.py).

Each provider answers for all the episodes in one query, as referrals.caseload asks.
"""

from django.db.models import Exists, Max, OuterRef

from assessment.models import Assessment, Top
from assessment.services import REVIEW_TOP_INTERVAL
from referrals.caseload import DueItem
from referrals.models import Episode


def top_review_due(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    """Open episodes with a TOP: the next review falls 182 days after the latest one (services.review_top_due_on)."""
    rows = (
        Top.objects.filter(episode_id__in=episode_ids, episode__discharged_on__isnull=True)
        .values("episode_id")
        .annotate(latest=Max("top_date"))
        .values_list("episode_id", "latest")
    )
    return {pk: [DueItem("TOP review due", latest + REVIEW_TOP_INTERVAL)] for pk, latest in rows}


def assessment_due(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    """Open episodes without a completed assessment. The specification sets no deadline, so the item is undated."""
    completed = Assessment.objects.filter(episode=OuterRef("pk"), completed_on__isnull=False)
    rows = (
        Episode.objects.filter(pk__in=episode_ids, discharged_on__isnull=True)
        .filter(~Exists(completed))
        .values_list("pk", flat=True)
    )
    return {pk: [DueItem("Assessment due", None)] for pk in rows}
