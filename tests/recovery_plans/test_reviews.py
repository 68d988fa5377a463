from datetime import date

import pytest

from core.choices import Role
from core.errors import DomainError
from recovery_plans.models import VersionStatus
from recovery_plans.services import plans, reviews
from referrals.factories import EpisodeFactory

GOALS = [{"domain": "housing", "text": "Find my own flat", "actions": []}]


@pytest.fixture
def signed(arm_team, staff):
    keyworker = staff(Role.KEYWORKER, team=arm_team)
    version = plans.start_plan(episode=EpisodeFactory(team=arm_team, referral__team=arm_team), by=keyworker)
    version = plans.update_draft(version=version, own_words="", goals=GOALS, by=keyworker, expected_version=1)
    version = plans.submit(version=version, by=keyworker, expected_version=version.version)
    return plans.plan_sign_off(
        version=version,
        expected_version=version.version,
        assessor=staff(Role.ASSESSOR, team=arm_team),
        when=date(2026, 1, 5),
    )


@pytest.mark.django_db
def test_a_review_records_progress_per_goal_and_can_start_a_new_version(signed):
    goal = signed.goals.get()
    review = reviews.record_review(
        plan=signed.plan,
        reviewed_on=date(2026, 3, 30),
        progress={goal.pk: "Viewing a flat next week"},
        summary="Going well",
        by=signed.author,
        change_plan=True,
    )
    assert review.progress.get().progress == "Viewing a flat next week"
    assert review.new_version.status == VersionStatus.DRAFT
    assert review.new_version.number == 2


@pytest.mark.django_db
def test_a_review_before_sign_off_is_refused(signed):
    with pytest.raises(DomainError, match="before the plan was signed") as exc:
        reviews.record_review(plan=signed.plan, reviewed_on=date(2026, 1, 4), progress={}, summary="", by=signed.author)
    assert exc.value.field == "reviewed_on"
    assert not signed.plan.reviews.exists()
