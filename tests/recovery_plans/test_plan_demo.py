"""The plans demo: every state, written by the episode's keyworker, signed by another assessor of its team."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.demo import context_for, seed_staff
from recovery_plans import demo_plans
from recovery_plans.deadlines import review_due_items
from recovery_plans.models import (
    Action,
    Goal,
    GoalProgress,
    PlannedModality,
    PlanReview,
    PlanVersion,
    RecoveryPlan,
    VersionStatus,
)
from referrals.factories import AllocationFactory, EpisodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world():
    """Open allocated episodes of the demo teams, opened from 10 to 400 days ago (the episodes demo's shape)."""
    staff = seed_staff()
    today = timezone.localdate()
    teams = {team.name: team for team in staff["assessor.arm"].teams.all()} | {
        "ESAP": staff["assessor.esap"].teams.get()
    }
    for n in range(40):
        team, worker = (teams["ESAP"], staff["keyworker.esap"]) if n % 5 == 0 else (teams["ARM"], staff["keyworker"])
        received = today - timedelta(days=10 + n * 10)
        episode = EpisodeFactory(referral__team=team, referral__received_on=received)
        AllocationFactory(
            episode=episode, keyworker=worker, assessor=staff["assessor.arm"], team=teams["Delivery North"]
        )
    return staff, today


def _seed(staff, today, seed):
    demo_plans.seed(context_for("recovery_plans", seed=seed, people=40, staff=staff, today=today))


def test_demo_plans_come_in_every_state_and_follow_the_sign_off_rules(demo_world):
    staff, today = demo_world
    _seed(staff, today, seed=5)
    assert set(PlanVersion.objects.values_list("status", flat=True)) == set(VersionStatus.values)
    assert PlanVersion.objects.filter(status=VersionStatus.DRAFT).exclude(returned_reason="").exists()
    assert PlanVersion.objects.filter(status=VersionStatus.SUBMITTED, plan__episode__team__name="ARM").exists()
    assert PlanReview.objects.filter(new_version__isnull=False).exists()
    assert RecoveryPlan.objects.count() < 40  # some episodes have no plan yet
    for version in PlanVersion.objects.select_related("plan__episode__team"):
        allocation = version.plan.episode.allocations.get()
        assert version.author_id == allocation.keyworker_id
        assert version.goals.exists()
        if version.signed_by_id:
            assert version.signed_by_id != version.author_id
            assert version.plan.episode.team.members.filter(pk=version.signed_by_id).exists()
            assert timezone.localtime(version.created_at).date() <= version.signed_on <= today
    for version in PlanVersion.objects.filter(number=2):
        assert version.based_on.plan_id == version.plan_id
    for review in PlanReview.objects.select_related("reviewed_version"):
        assert review.reviewed_version.signed_on <= review.reviewed_on <= today
        assert review.progress.count() == review.reviewed_version.goals.count()
    episode_ids = list(RecoveryPlan.objects.values_list("episode_id", flat=True))
    assert any(item.overdue for items in review_due_items(episode_ids).values() for item in items)


def test_the_same_seed_gives_the_same_plans(demo_world):
    staff, today = demo_world
    _seed(staff, today, seed=9)
    first = list(PlanVersion.objects.order_by("pk").values_list("plan__episode_id", "number", "status", "signed_on"))
    # Signed versions refuse DELETE (a trigger); TRUNCATE empties the plan tables without firing it.
    tables = [m._meta.db_table for m in (GoalProgress, PlanReview, PlannedModality, Action, Goal, PlanVersion)]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join([*tables, RecoveryPlan._meta.db_table])} CASCADE")
    _seed(staff, today, seed=9)
    assert (
        list(PlanVersion.objects.order_by("pk").values_list("plan__episode_id", "number", "status", "signed_on"))
        == first
    )
