"""Shared world for the episode tests: a delivery team with a manager, an assessor and keyworkers."""

import pytest

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from referrals.factories import AllocationFactory, EpisodeFactory


@pytest.fixture
def delivery_team(db):
    return TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)


@pytest.fixture
def manager(staff, delivery_team, arm_team):
    user = staff(Role.TEAM_MANAGER, team=delivery_team)
    arm_team.members.add(user)
    return user


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def keyworker(staff, delivery_team):
    return staff(Role.KEYWORKER, team=delivery_team)


@pytest.fixture
def other_keyworker(staff, delivery_team):
    return staff(Role.KEYWORKER, team=delivery_team)


@pytest.fixture
def episode(arm_team):
    return EpisodeFactory(referral__team=arm_team)


@pytest.fixture
def allocated_episode(episode, assessor, keyworker, delivery_team, manager):
    AllocationFactory(
        episode=episode,
        assessor=assessor,
        keyworker=keyworker,
        team=delivery_team,
        allocated_on=episode.opened_on,
        allocated_by=manager,
    )
    return episode
