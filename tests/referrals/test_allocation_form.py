"""Issue 14: the allocation page shows the person's preferred worker gender and each keyworker's, offers only
assessors of the episode's team (a rule of the service too), and warns with the numbers when a keyworker is at or
over capacity."""

import pytest
from django.urls import reverse

from core.choices import Gender, Role
from core.errors import DomainError
from referrals.factories import AllocationFactory, EpisodeFactory
from referrals.models import Allocation
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)
from tests.referrals.test_allocation import _allocate

pytestmark = pytest.mark.django_db


def _page(client, manager, episode):
    client.force_login(manager)
    return client.get(reverse("referrals:episode-allocate", args=[episode.pk])).content.decode()


def test_the_page_shows_both_genders(client, episode, manager, keyworker):
    keyworker.gender = Gender.FEMALE
    keyworker.save()
    episode.person.preferred_worker_gender = Gender.FEMALE
    episode.person.save()
    page = _page(client, manager, episode)
    assert "prefers a female worker" in page
    assert f"{keyworker.get_full_name()} (female): 0 of 40 people" in page


def test_no_preference_is_said_in_words(client, episode, manager):
    episode.person.preferred_worker_gender = Gender.NOT_STATED
    episode.person.save()
    assert "No preference stated" in _page(client, manager, episode)


def test_only_assessors_of_the_episode_team_are_offered(client, episode, manager, assessor, staff, delivery_team):
    outsider = staff(Role.ASSESSOR, team=delivery_team, first_name="Outside", last_name="Assessor")
    page = _page(client, manager, episode)
    assert assessor.get_full_name() in page
    assert "Outside Assessor" not in page
    response = client.post(
        reverse("referrals:episode-allocate", args=[episode.pk]),
        {"version": episode.version, "assessor": outsider.pk, "keyworker": "", "team": delivery_team.pk},
    )
    assert "Assessor: select one of the options" in response.content.decode()


def test_the_service_refuses_an_assessor_of_another_team(episode, manager, keyworker, staff, delivery_team):
    outsider = staff(Role.ASSESSOR, team=delivery_team)
    with pytest.raises(DomainError) as error:
        _allocate(episode, outsider, keyworker, delivery_team, manager)
    assert error.value.field == "assessor"
    assert f"not an assessor of {episode.team}" in error.value.message
    assert not Allocation.objects.exists()


def test_a_keyworker_at_capacity_is_warned_of_with_the_numbers(
    client, episode, manager, assessor, keyworker, delivery_team, arm_team
):
    keyworker.caseload_capacity = 2
    keyworker.gender = Gender.NOT_STATED
    keyworker.save()
    for _ in range(2):
        AllocationFactory(episode=EpisodeFactory(referral__team=arm_team), keyworker=keyworker, team=delivery_team)
    page = _page(client, manager, episode)
    name = keyworker.get_full_name()
    assert f"{name} has 2 people for a capacity of 2: this allocation would make it 3." in page
    assert f"{name}: 2 of 2 people, over capacity by 1 with this person" in page


def test_no_warning_below_capacity(client, episode, manager, keyworker):
    assert "at or over capacity" not in _page(client, manager, episode)
