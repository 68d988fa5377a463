import pytest

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from prescribing.factories import PharmacyFactory
from prescribing.models import Medication
from referrals.factories import AllocationFactory
from referrals.models import TeamInvolvement


@pytest.fixture
def prescribing_team(db):
    return TeamFactory(name="Prescribing", kind=TeamKind.PRESCRIBING)


@pytest.fixture
def prescriber(staff, prescribing_team):
    return staff(Role.PRESCRIBER, team=prescribing_team)


@pytest.fixture
def allocation(staff, arm_team):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    return AllocationFactory(
        keyworker=staff(Role.KEYWORKER, team=delivery), team=delivery, episode__referral__team=arm_team
    )


@pytest.fixture
def episode(allocation, prescribing_team):
    """An open episode whose person has been referred to the Prescribing team."""
    episode = allocation.episode
    TeamInvolvement.objects.create(
        person=episode.person, team=prescribing_team, since=episode.opened_on, reason="pharmacological modality"
    )
    return episode


@pytest.fixture
def methadone(db):
    return Medication.objects.get(code="MET")


@pytest.fixture
def buprenorphine(db):
    return Medication.objects.get(code="BUP")


@pytest.fixture
def pharmacy(db):
    return PharmacyFactory()


def draft_plan(episode, author):
    """A recovery plan drafted for the episode: a drug test's rationale must sit in a plan (SPEC 10.4)."""
    from recovery_plans.models import PlanVersion, RecoveryPlan

    plan, _ = RecoveryPlan.objects.get_or_create(episode=episode)
    return plan.versions.order_by("-number").first() or PlanVersion.objects.create(plan=plan, number=1, author=author)


@pytest.fixture
def plan_draft(episode, prescriber):
    return draft_plan(episode, prescriber)
