import datetime

import pytest
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from core.models import DischargeReason
from referrals.factories import AllocationFactory, EpisodeFactory


@pytest.fixture
def delivery_team(db):
    return TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)


@pytest.fixture
def episode(arm_team):
    return EpisodeFactory(referral__team=arm_team, opened_on=timezone.localdate() - datetime.timedelta(days=40))


@pytest.fixture
def keyworker(staff, delivery_team):
    return staff(Role.KEYWORKER, team=delivery_team, username="owner.keyworker")


@pytest.fixture
def allocation(episode, keyworker, delivery_team):
    return AllocationFactory(episode=episode, keyworker=keyworker, team=delivery_team)


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team, username="same.team.assessor")


@pytest.fixture
def unrelated_keyworker(staff):
    return staff(Role.KEYWORKER, team=TeamFactory(name="Delivery South"), username="unrelated.keyworker")


def discharge(episode, on):
    episode.discharged_on = on
    episode.discharge_reason = DischargeReason.objects.get(code="80")
    episode.save()
