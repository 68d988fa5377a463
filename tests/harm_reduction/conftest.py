import pytest
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from harm_reduction.factories import NspSiteFactory
from harm_reduction.models import Attender, EquipmentItem
from referrals.factories import AllocationFactory
from referrals.models import TeamInvolvement


@pytest.fixture
def hr_team(db):
    return TeamFactory(name="Harm reduction", kind=TeamKind.HARM_REDUCTION)


@pytest.fixture
def worker(staff, hr_team):
    return staff(Role.HARM_REDUCTION_WORKER, team=hr_team)


@pytest.fixture
def site(db):
    return NspSiteFactory(name="Hub")


@pytest.fixture
def needle(db):
    return EquipmentItem.objects.get(code="N23B")


@pytest.fixture
def foil(db):
    return EquipmentItem.objects.get(code="FOIL")


@pytest.fixture
def sharps_bin(db):
    return EquipmentItem.objects.get(code="BIN1")


@pytest.fixture
def allocation(staff, arm_team):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    return AllocationFactory(
        keyworker=staff(Role.KEYWORKER, team=delivery), team=delivery, episode__referral__team=arm_team
    )


@pytest.fixture
def episode(allocation):
    return allocation.episode


@pytest.fixture
def keyworker(allocation):
    return allocation.keyworker


@pytest.fixture
def hr_episode(episode, hr_team):
    """An open episode whose person has been referred to the harm reduction team."""
    TeamInvolvement.objects.create(person=episode.person, team=hr_team, since=episode.opened_on, reason="BBV")
    return episode


@pytest.fixture
def male_attender_for(db):
    """Links a new attender to the person, as an NSP worker would after the person gave their name."""

    def make(person):
        return Attender.objects.create(
            code=f"ZZ{person.date_of_birth:%d%m%Y}{person.sex.code}",
            initials="ZZ",
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            person=person,
        )

    return make


@pytest.fixture
def parts():
    """`parts("given_on", date)` gives the day, month and year boxes of an NHS.UK date field."""

    def make(name, value):
        return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}

    return make


@pytest.fixture
def unrelated(staff):
    """A keyworker with nobody from these tests on their caseload."""
    return staff(Role.KEYWORKER, username="unrelated.keyworker")


@pytest.fixture
def today():
    """The day the test runs, taken when it starts: a date taken when the module is imported is yesterday's in a
    run that crosses midnight."""
    return timezone.localdate()
