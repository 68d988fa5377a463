"""The world of the plan page and API tests: an ARM episode held by a keyworker, and one member of staff
per role, each able to see the person where their role lets them (so a refusal is the rule, not scope)."""

import pytest
from rest_framework.test import APIClient

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from recovery_plans.services import plans
from referrals.factories import AllocationFactory, EpisodeFactory
from referrals.models import TeamInvolvement

GOALS = [
    {
        "domain": "housing",
        "text": "Find my own flat",
        "actions": [{"what": "Call the council housing team", "who": "Me", "by_when": None, "status": "not_started"}],
    },
    {"domain": "substance_use", "text": "Stop using on weekdays", "actions": []},
]


@pytest.fixture
def delivery_team(db):
    return TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)


@pytest.fixture
def keyworker(staff, delivery_team):
    return staff(Role.KEYWORKER, team=delivery_team, username="plan.keyworker")


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team, username="plan.assessor")


@pytest.fixture
def episode(arm_team, keyworker, assessor, delivery_team):
    episode = EpisodeFactory(referral__team=arm_team)
    AllocationFactory(episode=episode, keyworker=keyworker, assessor=assessor, team=delivery_team)
    return episode


@pytest.fixture
def draft(episode, keyworker):
    version = plans.start_plan(episode=episode, by=keyworker)
    return plans.update_draft(
        version=version, own_words="I want my kids back", goals=GOALS, by=keyworker, expected_version=1
    )


@pytest.fixture
def submitted(draft, keyworker):
    return plans.submit(version=draft, by=keyworker, expected_version=draft.version)


def _involve(person, team):
    TeamInvolvement.objects.get_or_create(person=person, team=team, defaults={"since": "2026-01-01", "reason": "test"})


@pytest.fixture
def role_user(request, staff, episode, arm_team, assessor, keyworker, data_admin, commissioner):
    """Each role of the sign-off permission table, able to see the person where its role allows."""
    name = request.param
    if name == "assessor_of_the_team":
        return assessor
    if name == "keyworker":
        return keyworker
    if name == "data_admin":
        return data_admin
    if name == "commissioner":
        return commissioner
    if name == "referrer":
        user = staff(Role.REFERRER, team=arm_team)
        episode.referral.created_by = user
        episode.referral.save(update_fields=["created_by"])
        return user
    if name == "assessor_of_another_team":
        esap = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
        _involve(episode.person, esap)
        return staff(Role.ASSESSOR, team=esap)
    if name == "prescriber":
        team = TeamFactory(name="Prescribing", kind=TeamKind.PRESCRIBING)
        _involve(episode.person, team)
        return staff(Role.PRESCRIBER, team=team)
    if name == "harm_reduction_worker":
        team = TeamFactory(name="Harm reduction", kind=TeamKind.HARM_REDUCTION)
        _involve(episode.person, team)
        return staff(Role.HARM_REDUCTION_WORKER, team=team)
    if name == "team_manager":
        return staff(Role.TEAM_MANAGER, team=arm_team)
    raise ValueError(name)


@pytest.fixture
def api_client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
