"""Caseload due items: plan due (treatment start + 21 days), plan review due, sub-intervention review due.

Each provider answers for all the episodes in one query (referrals.caseload). Once the morning alerts job
(`services.alerts`) has raised a task for an item, the caseload shows that open task instead, so an item is
never listed twice.
"""

from datetime import date, timedelta

from django.db.models import CharField, Exists, Max, Min, OuterRef, Value
from django.db.models.functions import Cast, Concat

from recovery_plans.models import Modality, PlanVersion, VersionStatus
from recovery_plans.services.modalities import REVIEW_TASK_PREFIX, sub_intervention_review_due
from referrals.caseload import DueItem
from referrals.choices import TaskKind
from referrals.models import Episode, Task

PLAN_DUE_DAYS = 21
FIRST_REVIEW_DAYS = 84


def _open_alert(kind: str, **lookups):
    return Exists(Task.objects.filter(kind=kind, done_on__isnull=True, **lookups))


def plan_due_items(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    signed = PlanVersion.objects.filter(
        plan__episode=OuterRef("pk"), status__in=[VersionStatus.SIGNED, VersionStatus.SUPERSEDED]
    )
    rows = (
        Episode.objects.filter(pk__in=episode_ids)
        .annotate(treatment_start=Min("modalities__started_on"), has_signed=Exists(signed))
        .filter(~_open_alert(TaskKind.RECOVERY_PLAN_DUE, episode=OuterRef("pk")))
        .values_list("pk", "treatment_start", "has_signed")
    )
    return {
        pk: [DueItem("Recovery plan due", start + timedelta(days=PLAN_DUE_DAYS), done=has_signed)]
        for pk, start, has_signed in rows
        if start is not None and not has_signed
    }


def next_review_due(assessment_completed: date | None, latest_review: date | None, interval_days: int) -> date | None:
    """First review 12 weeks after the comprehensive assessment; later ones at the plan's interval."""
    if latest_review is not None:
        return latest_review + timedelta(days=interval_days)
    if assessment_completed is not None:
        return assessment_completed + timedelta(days=FIRST_REVIEW_DAYS)
    return None


def review_due_items(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    rows = (
        Episode.objects.filter(pk__in=episode_ids, recovery_plan__isnull=False)
        .filter(~_open_alert(TaskKind.PLAN_REVIEW_DUE, episode=OuterRef("pk")))
        .annotate(
            assessed=Max("assessments__completed_on"),
            latest_review=Max("recovery_plan__reviews__reviewed_on"),
        )
        .values_list("pk", "assessed", "latest_review", "recovery_plan__review_interval_days")
    )
    items: dict[int, list[DueItem]] = {}
    for pk, assessed, latest, interval in rows:
        due = next_review_due(assessed, latest, interval)
        if due is not None:
            items[pk] = [DueItem("Recovery plan review due", due)]
    return items


def sub_intervention_due_items(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    running = (
        Modality.objects.filter(episode_id__in=episode_ids, started_on__isnull=False, ended_on__isnull=True)
        .select_related("intervention")
        .filter(
            ~_open_alert(
                TaskKind.MODALITY_REVIEW_DUE,
                source_key__startswith=Concat(Value(REVIEW_TASK_PREFIX), Cast(OuterRef("pk"), CharField()), Value(":")),
            )
        )
        .annotate(latest_review=Max("reviews__reviewed_on"))
    )
    items: dict[int, list[DueItem]] = {}
    for modality in running:
        due = sub_intervention_review_due(modality, modality.latest_review)
        items.setdefault(modality.episode_id, []).append(DueItem(f"{modality.intervention} review due", due))
    return items


PROVIDERS = [plan_due_items, review_due_items, sub_intervention_due_items]
