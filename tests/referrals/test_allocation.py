import pytest

from core.choices import Role, TeamKind
from core.errors import DomainError, StaleEditError
from core.factories import TeamFactory
from core.models import AuditEvent
from referrals.models import Allocation, Episode, TeamInvolvement
from referrals.services.episodes import allocate
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def _allocate(episode, assessor, keyworker, team, manager, **kwargs):
    return allocate(
        episode=episode,
        assessor=assessor,
        keyworker=keyworker,
        team=team,
        expected_version=Episode.objects.get(pk=episode.pk).version,
        by=manager,
        **kwargs,
    )


def test_manager_allocates_assessor_and_keyworker_and_team_sees_person(
    episode, assessor, keyworker, delivery_team, manager
):
    allocation = _allocate(episode, assessor, keyworker, delivery_team, manager)
    assert allocation.ended_on is None
    assert TeamInvolvement.objects.filter(person=episode.person, team=delivery_team).exists()
    assert AuditEvent.objects.filter(object_type__icontains="allocation").exists()


def test_allocating_a_user_who_is_not_a_keyworker_is_refused_naming_the_field(
    episode, assessor, delivery_team, manager
):
    with pytest.raises(DomainError) as error:
        _allocate(episode, assessor, assessor, delivery_team, manager)
    assert error.value.field == "keyworker"
    assert "not a keyworker" in error.value.message
    assert not Allocation.objects.exists()


def test_allocating_an_assessor_without_the_role_is_refused(episode, keyworker, delivery_team, manager):
    with pytest.raises(DomainError) as error:
        _allocate(episode, keyworker, keyworker, delivery_team, manager)
    assert error.value.field == "assessor"


def test_only_a_team_manager_allocates(episode, assessor, keyworker, delivery_team):
    with pytest.raises(DomainError):
        _allocate(episode, assessor, keyworker, delivery_team, keyworker)


def test_allocation_is_to_a_delivery_team(episode, assessor, keyworker, arm_team, manager):
    with pytest.raises(DomainError) as error:
        _allocate(episode, assessor, keyworker, arm_team, manager)
    assert error.value.field == "team"


def test_reallocation_ends_the_current_allocation_and_keeps_history(
    allocated_episode, assessor, other_keyworker, delivery_team, manager
):
    south = TeamFactory(name="Delivery South", kind=TeamKind.DELIVERY)
    _allocate(allocated_episode, assessor, other_keyworker, south, manager)
    rows = list(Allocation.objects.filter(episode=allocated_episode).order_by("pk"))
    assert len(rows) == 2
    assert rows[0].ended_on is not None
    assert rows[1].ended_on is None
    assert rows[1].keyworker == other_keyworker
    assert TeamInvolvement.objects.filter(person=allocated_episode.person, team=south).exists()


def test_second_manager_allocating_from_a_stale_page_is_refused(
    episode, assessor, keyworker, other_keyworker, delivery_team, manager, staff
):
    second = staff(Role.TEAM_MANAGER, team=delivery_team)
    version_both_saw = episode.version
    allocate(
        episode=episode,
        assessor=assessor,
        keyworker=keyworker,
        team=delivery_team,
        expected_version=version_both_saw,
        by=manager,
    )
    with pytest.raises(StaleEditError):
        allocate(
            episode=episode,
            assessor=assessor,
            keyworker=other_keyworker,
            team=delivery_team,
            expected_version=version_both_saw,
            by=second,
        )
    assert Allocation.objects.get(episode=episode, ended_on__isnull=True).keyworker == keyworker
