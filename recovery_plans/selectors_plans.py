"""Read side of plans: who may read them, scoped lookups, and each page's rows in a fixed number of queries."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from core.choices import Role
from core.visibility import scope_for
from recovery_plans import deadlines
from recovery_plans.diff import PlanDiff, diff_versions, snapshot
from recovery_plans.models import (
    Action,
    GoalProgress,
    LifeDomain,
    PlannedModality,
    PlanReview,
    PlanVersion,
    RecoveryPlan,
    VersionStatus,
)
from referrals.caseload import DueItem
from referrals.models import Episode

# The care team reads plans. Referrers, harm reduction workers and commissioners do not (domain.md 1:
# they see referrals, NSP/BBV records and aggregates), even for a person they can otherwise see.
PLAN_READER_ROLES = (Role.ASSESSOR, Role.KEYWORKER, Role.TEAM_MANAGER, Role.PRESCRIBER, Role.DATA_ADMIN)
OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.SUBMITTED)
VERSION_RELATED = ("plan__episode__person", "plan__episode__team", "author", "signed_by")


def may_read_plans(user) -> bool:
    return user.is_superuser or user.has_role(*PLAN_READER_ROLES)


def require_reader(user) -> None:
    if not may_read_plans(user):
        raise PermissionDenied("Recovery plans are read by the care team only.")


def with_content(queryset):
    """Goals in order with their actions, and planned modalities with their intervention: three queries."""
    return queryset.prefetch_related(
        Prefetch("goals__actions", queryset=Action.objects.order_by("position", "pk")),
        Prefetch("planned_modalities", queryset=PlannedModality.objects.select_related("intervention").order_by("pk")),
    )


def episode_for(user, pk: int) -> Episode:
    require_reader(user)
    return get_object_or_404(Episode.objects.visible_to(user).select_related("person", "team"), pk=pk)


def version_for(user, pk: int, *, content: bool = False) -> PlanVersion:
    require_reader(user)
    queryset = PlanVersion.objects.visible_to(user).select_related(*VERSION_RELATED)
    return get_object_or_404(with_content(queryset) if content else queryset, pk=pk)


def goals_by_domain(version: PlanVersion) -> list[tuple[str, list]]:
    """The version's goals grouped by life domain, in the order of the domain list. Each goal gets `index`,
    its place in the version from 1, which is how the edit pages name it."""
    grouped: dict[str, list] = {}
    for index, goal in enumerate(version.goals.all(), start=1):
        goal.index = index
        grouped.setdefault(goal.domain, []).append(goal)
    return [(label, grouped[value]) for value, label in LifeDomain.choices if value in grouped]


@dataclass
class PlanPage:
    plan: RecoveryPlan | None
    versions: list[PlanVersion]
    signed: PlanVersion | None
    open: PlanVersion | None
    latest_review: PlanReview | None
    plan_due: DueItem | None
    review_due: DueItem | None


def plan_of(episode: Episode) -> RecoveryPlan:
    plan = get_object_or_404(RecoveryPlan, episode=episode)
    plan.episode = episode
    return plan


def plan_page(episode: Episode) -> PlanPage:
    """Everything the plan page shows, in the same number of queries however many goals and actions."""
    plan = RecoveryPlan.objects.filter(episode=episode).first()
    if plan is None:
        return PlanPage(None, [], None, None, None, None, None)
    plan.episode = episode
    versions = list(with_content(plan.versions.select_related("author", "signed_by")).order_by("number"))
    for version in versions:
        version.plan = plan
    signed = next((v for v in versions if v.status == VersionStatus.SIGNED), None)
    open_ = next((v for v in versions if v.status in OPEN_STATUSES), None)
    latest_review = plan.reviews.select_related("by").order_by("-reviewed_on", "-pk").first()
    plan_due = deadlines.plan_due_items([episode.pk]).get(episode.pk, [None])[0]
    review_due = deadlines.review_due_items([episode.pk]).get(episode.pk, [None])[0] if signed else None
    return PlanPage(plan, versions, signed, open_, latest_review, plan_due, review_due)


def with_changes(versions: list[PlanVersion]) -> list[tuple[PlanVersion, PlanDiff]]:
    """Each version (with content prefetched, oldest first) beside its differences from the one before."""
    rows, previous = [], None
    for version in versions:
        current = snapshot(version)
        rows.append((version, diff_versions(previous, current)))
        previous = current
    return rows


def changes_from_previous(version: PlanVersion) -> PlanDiff:
    """The differences between a version and the one numbered before it (a first version is all new)."""
    previous = with_content(PlanVersion.objects.filter(plan_id=version.plan_id, number=version.number - 1)).first()
    return diff_versions(snapshot(previous) if previous else None, snapshot(version))


def history(plan: RecoveryPlan) -> list[tuple[PlanVersion, PlanDiff]]:
    versions = list(with_content(plan.versions.select_related("author", "signed_by")).order_by("number"))
    return list(reversed(with_changes(versions)))


def reviews(plan: RecoveryPlan) -> list[PlanReview]:
    return list(
        plan.reviews.select_related("by", "reviewed_version", "new_version")
        .prefetch_related(Prefetch("progress", queryset=GoalProgress.objects.select_related("goal").order_by("pk")))
        .order_by("-reviewed_on", "-pk")
    )


# Submitting sets `submitted_at`, so it is never null on the queue and can be a keyset.
SIGN_OFF_QUEUE_ORDER = ("submitted_at", "pk")


def sign_off_queue(user):
    """Versions submitted for sign-off in the user's teams the user may see, in `SIGN_OFF_QUEUE_ORDER`."""
    return (
        PlanVersion.objects.visible_to(user)
        .filter(status=VersionStatus.SUBMITTED, plan__episode__team__in=scope_for(user).team_ids)
        .select_related(*VERSION_RELATED)
    )
