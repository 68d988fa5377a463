"""Every long list of the episode pages is a page: never more rows than the page size, the same queries for a
long list as a short one, and every row reachable through "Next" exactly once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.factories import AllocationFactory, EpisodeFactory
from referrals.models import Allocation, ReengagementEntry
from referrals.selectors_episodes import keyworkers_with_caseload
from tests.paging import PAGE, assert_bounded, small_pages, walk  # noqa: F401 (fixture)
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_pages")]


def _fill_caseload(keyworker, assessor, team, manager, count):
    for _ in range(count):
        AllocationFactory(keyworker=keyworker, assessor=assessor, team=team, allocated_by=manager)


def test_the_caseload_is_paged_and_costs_the_same_long_or_short(
    client, keyworker, assessor, delivery_team, manager, django_assert_max_num_queries
):
    client.force_login(keyworker)
    url = reverse("referrals:my-caseload")
    _fill_caseload(keyworker, assessor, delivery_team, manager, PAGE + 1)
    _, _, short = walk(client, url, lambda c: c["rows"], django_assert_max_num_queries, 40)
    _fill_caseload(keyworker, assessor, delivery_team, manager, 2 * PAGE)
    seen, largest, long = walk(client, url, lambda c: c["rows"], django_assert_max_num_queries, short)
    assert long == short
    assert largest == PAGE
    assert sorted(row.allocation.pk for row in seen) == sorted(
        Allocation.objects.filter(keyworker=keyworker).values_list("pk", flat=True)
    )
    assert len(seen) == 3 * PAGE + 1


def test_the_allocation_board_is_paged_and_costs_the_same_long_or_short(
    client, manager, arm_team, keyworker, django_assert_max_num_queries
):
    client.force_login(manager)
    url = reverse("referrals:allocation-board")
    for _ in range(PAGE + 1):
        EpisodeFactory(referral__team=arm_team)
    _, _, short = walk(client, url, lambda c: c["page"].rows, django_assert_max_num_queries, 40)
    for _ in range(2 * PAGE):
        EpisodeFactory(referral__team=arm_team)
    seen, largest, long = walk(client, url, lambda c: c["page"].rows, django_assert_max_num_queries, short)
    assert long == short
    assert largest == PAGE
    assert len({episode.pk for episode in seen}) == 3 * PAGE + 1


def test_a_keyworker_in_two_of_the_managers_teams_has_their_caseload_counted_once(
    client, manager, keyworker, arm_team, assessor, delivery_team
):
    arm_team.members.add(keyworker)
    _fill_caseload(keyworker, assessor, delivery_team, manager, 3)
    client.force_login(manager)
    workers = client.get(reverse("referrals:allocation-board")).context["workers"]
    assert [(w.pk, w.caseload) for w in workers if w.pk == keyworker.pk] == [(keyworker.pk, 3)]
    # The allocation form reads the same list: once, with the same caseload.
    assert [w.caseload for w in keyworkers_with_caseload(manager) if w.pk == keyworker.pk] == [3]


def test_the_board_narrows_to_one_team_and_a_data_admin_picks_a_team_for_keyworkers(
    client, manager, arm_team, delivery_team, keyworker, data_admin
):
    EpisodeFactory(referral__team=arm_team)
    client.force_login(manager)
    response = client.get(reverse("referrals:allocation-board"), {"team": delivery_team.pk})
    assert response.context["team"] == delivery_team
    assert response.context["page"].rows == []
    client.force_login(data_admin)
    response = client.get(reverse("referrals:allocation-board"))
    assert response.context["workers"] is None
    assert "Choose a team to see its keyworkers" in response.content.decode()


def test_the_reengagement_list_is_paged_and_costs_the_same_long_or_short(
    client, manager, arm_team, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            episode = EpisodeFactory(referral__team=arm_team)
            ReengagementEntry.objects.create(
                person=episode.person, episode=episode, added_on=timezone.localdate() - timedelta(days=3)
            )

    client.force_login(manager)
    url = reverse("referrals:reengagement-list")
    add(PAGE + 1)
    _, _, short = walk(client, url, lambda c: c["page"].rows, django_assert_max_num_queries, 40)
    add(2 * PAGE)
    seen, largest, long = walk(client, url, lambda c: c["page"].rows, django_assert_max_num_queries, short)
    assert long == short
    assert largest == PAGE
    assert len({entry.pk for entry in seen}) == 3 * PAGE + 1


def test_a_caseload_page_says_how_many_in_all(client, keyworker, assessor, delivery_team, manager):
    _fill_caseload(keyworker, assessor, delivery_team, manager, PAGE + 2)
    client.force_login(keyworker)
    body = client.get(reverse("referrals:my-caseload")).content.decode()
    assert f"{PAGE + 2} people, with their next due item" in body
    assert 'aria-label="Pagination"' in body
