from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from core.pagination import PAGE_SIZE
from referrals.caseload import DueItem, due_items_for
from referrals.choices import TaskKind
from referrals.factories import AllocationFactory
from referrals.models import Task
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def _fill_caseload(keyworker, assessor, team, manager, count):
    for _ in range(count):
        allocation = AllocationFactory(keyworker=keyworker, assessor=assessor, team=team, allocated_by=manager)
        Task.objects.create(
            person=allocation.episode.person,
            episode=allocation.episode,
            kind=TaskKind.OTHER,
            title="Ring the GP",
            assigned_to=keyworker,
            due_on=timezone.localdate() - timedelta(days=1),
            source_key=f"test:{allocation.pk}",
        )


def _count_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("referrals:my-caseload"))
    assert response.status_code == 200
    return len(captured), response


def test_caseload_page_runs_the_same_queries_for_60_people_as_for_5(
    client, keyworker, assessor, delivery_team, manager, django_assert_max_num_queries
):
    client.force_login(keyworker)
    _fill_caseload(keyworker, assessor, delivery_team, manager, 5)
    with_5, _ = _count_queries(client, django_assert_max_num_queries, 40)
    _fill_caseload(keyworker, assessor, delivery_team, manager, 55)
    with_60, response = _count_queries(client, django_assert_max_num_queries, with_5)
    assert with_60 == with_5
    # A page of the caseload: never more rows than the page size, however many people.
    assert response.content.decode().count(" overdue</strong>") == PAGE_SIZE


def test_caseload_shows_overdue_task_until_done(client, allocated_episode, keyworker):
    task = Task.objects.create(
        person=allocated_episode.person,
        episode=allocated_episode,
        kind=TaskKind.OTHER,
        title="Chase probation",
        assigned_to=keyworker,
        due_on=timezone.localdate() - timedelta(days=2),
        source_key="test:chase",
    )
    client.force_login(keyworker)
    assert "Chase probation" in client.get(reverse("referrals:my-caseload")).content.decode()
    response = client.post(reverse("referrals:task-done", args=[task.pk]))
    assert response.status_code == 302
    assert "Chase probation" not in client.get(reverse("referrals:my-caseload")).content.decode()


def test_unrelated_keyworker_cannot_mark_a_task_done(client, allocated_episode, keyworker, other_keyworker):
    task = Task.objects.create(
        person=allocated_episode.person,
        episode=allocated_episode,
        kind=TaskKind.OTHER,
        title="X",
        assigned_to=keyworker,
        source_key="test:x",
    )
    client.force_login(other_keyworker)
    assert client.post(reverse("referrals:task-done", args=[task.pk])).status_code == 404


def test_first_contact_not_yet_made_is_a_due_item(allocated_episode):
    items = due_items_for([allocated_episode.pk])[allocated_episode.pk]
    assert items[0].label == "First contact"
    assert items[0].due_on == allocated_episode.referral.first_contact_due


def test_other_apps_can_register_due_items(allocated_episode):
    from referrals import caseload

    def plan_reviews(episode_ids):
        return {pk: [DueItem("Care plan review", timezone.localdate())] for pk in episode_ids}

    caseload.register(plan_reviews)
    try:
        labels = [i.label for i in due_items_for([allocated_episode.pk])[allocated_episode.pk]]
    finally:
        caseload.PROVIDERS.remove(plan_reviews)
    assert "Care plan review" in labels


def test_episodes_of_another_keyworker_are_not_on_my_caseload(client, keyworker, other_keyworker, assessor, manager):
    AllocationFactory(keyworker=other_keyworker, assessor=assessor, allocated_by=manager)
    client.force_login(keyworker)
    assert "Nobody is allocated to you" in client.get(reverse("referrals:my-caseload")).content.decode()


def test_demo_gives_keyworker_a_caseload_with_overdue_work_and_leaves_some_unallocated(db, capsys):
    from django.core.management import call_command

    from core.models import User
    from referrals.models import Allocation, Episode, FollowUp, ReengagementEntry

    call_command("seed_demo", people=200, seed=3)
    keyworker = User.objects.get(username="keyworker")
    assert Allocation.objects.filter(keyworker=keyworker, ended_on__isnull=True).count() >= 20
    assert Task.objects.filter(assigned_to=keyworker, done_on__isnull=True, due_on__lt=timezone.localdate()).exists()
    assert Episode.objects.open().filter(allocations__isnull=True).exists()
    assert FollowUp.objects.exists()
    assert ReengagementEntry.objects.exists()
