"""The work lists of issue 14, each a queryset that starts from `visible_to(user)`: an assessor's and a
manager's team episodes with their stage, the team's follow-ups after planned exits, and a manager's team.

Each list is one query for its page whatever its length (stages and counts are subqueries, not per-row reads).
"""

from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from assessment.models import Assessment
from core.models import User
from core.visibility import scope_for
from recovery_plans.deadlines import FIRST_REVIEW_DAYS
from recovery_plans.models import PlanReview, PlanVersion, VersionStatus
from referrals.models import Allocation, Episode, FollowUp, Task

# A plan review shows as due this many days ahead, so it can be booked.
REVIEW_DUE_WITHIN_DAYS = 14


class Stage(TextChoices):
    """Where an open episode is on the journey (domain.md section 2), the first that applies."""

    AWAITING_ASSESSMENT = "awaiting_assessment", "Awaiting assessment"
    AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
    PLAN_TO_SIGN_OFF = "plan_to_sign_off", "Plan to sign off"
    REVIEW_DUE = "review_due", "Review due"
    IN_TREATMENT = "in_treatment", "In treatment"


class PlusDays(Func):
    """`date + integer` in PostgreSQL: the date that many days later."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


def _full_name(prefix: str):
    return Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name"), output_field=CharField())


def _current_allocation():
    return Allocation.objects.filter(episode=OuterRef("pk"), ended_on__isnull=True)


def with_stage(episodes):
    """Annotate `stage` and `review_due_on` (the next plan review: 12 weeks after the comprehensive assessment,
    then at the plan's interval after the last review, as recovery_plans.deadlines reckons it)."""
    completed = Assessment.objects.filter(episode=OuterRef("pk"), completed_on__isnull=False)
    latest_review = PlanReview.objects.filter(plan__episode=OuterRef("pk")).order_by("-reviewed_on")
    submitted = PlanVersion.objects.filter(plan__episode=OuterRef("pk"), status=VersionStatus.SUBMITTED)
    review_by = timezone.localdate() + timedelta(days=REVIEW_DUE_WITHIN_DAYS)
    return episodes.annotate(
        review_due_on=Case(
            When(recovery_plan__isnull=True, then=None),
            default=Coalesce(
                PlusDays(Subquery(latest_review.values("reviewed_on")[:1]), F("recovery_plan__review_interval_days")),
                PlusDays(
                    Subquery(completed.order_by("-completed_on").values("completed_on")[:1]),
                    Value(FIRST_REVIEW_DAYS),
                ),
            ),
            output_field=DateField(),
        ),
        stage=Case(
            When(~Exists(completed), then=Value(Stage.AWAITING_ASSESSMENT)),
            When(~Exists(_current_allocation()), then=Value(Stage.AWAITING_ALLOCATION)),
            When(Exists(submitted), then=Value(Stage.PLAN_TO_SIGN_OFF)),
            When(review_due_on__lte=review_by, then=Value(Stage.REVIEW_DUE)),
            default=Value(Stage.IN_TREATMENT),
            output_field=CharField(),
        ),
    )


def team_episodes(user, *, stage: str = "", keyworker_id: int | None = None):
    """Open episodes of the user's teams (referred to them, or allocated to a keyworker of theirs), with stage."""
    scope = scope_for(user)
    episodes = Episode.objects.visible_to(user).open()
    if not scope.sees_everything:
        allocated_here = _current_allocation().filter(team_id__in=scope.team_ids)
        episodes = episodes.filter(Q(team_id__in=scope.team_ids) | Exists(allocated_here))
    if keyworker_id:
        episodes = episodes.filter(Exists(_current_allocation().filter(keyworker_id=keyworker_id)))
    keyworker_name = _current_allocation().values(name=_full_name("keyworker__"))[:1]
    episodes = with_stage(episodes).select_related("person", "team").annotate(keyworker_name=Subquery(keyworker_name))
    return episodes.filter(stage=stage) if stage else episodes


def team_follow_ups(user, *, mine_only: bool = False):
    """Open follow-ups owned by the user's teams, or by the user, of people the user may open."""
    scope = scope_for(user)
    follow_ups = FollowUp.objects.visible_to(user).filter(done_on__isnull=True)
    if mine_only:
        follow_ups = follow_ups.filter(keyworker_id=scope.user_id)
    elif not scope.sees_everything:
        follow_ups = follow_ups.filter(Q(team_id__in=scope.team_ids) | Q(keyworker_id=scope.user_id))
    return follow_ups.select_related("episode__person", "keyworker", "team")


def _count(queryset, outer: str):
    """A correlated COUNT(*) of `queryset` rows whose `outer` is the row's pk: no join, so no double counting."""
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")[:1]), 0, output_field=IntegerField())


def team_members(user):
    """The staff of the manager's teams with their workload: caseload, open and overdue tasks, follow-ups due."""
    scope = scope_for(user)
    members = User.objects.filter(is_active=True)
    if not scope.sees_everything:
        members = members.filter(teams__in=scope.team_ids)
    today = timezone.localdate()
    open_tasks = Task.objects.filter(done_on__isnull=True)
    return (
        members.distinct()
        .annotate(
            caseload=_count(Allocation.objects.filter(ended_on__isnull=True), "keyworker"),
            open_tasks=_count(open_tasks, "assigned_to"),
            overdue_tasks=_count(open_tasks.filter(due_on__lt=today), "assigned_to"),
            follow_ups_due=_count(FollowUp.objects.filter(done_on__isnull=True, due_on__lte=today), "keyworker"),
        )
        .prefetch_related("groups")
    )
