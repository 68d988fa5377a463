"""The one visibility rule, by persona: owner, same team, no relationship (style.md 14)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import request_context
from core.choices import Role, TeamKind
from core.factories import TeamFactory
from referrals.factories import AllocationFactory, EpisodeFactory, PersonFactory
from referrals.models import Episode, Person, PersonUserObjectPermission, TeamInvolvement
from referrals.querysets import visible_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocation(staff, arm_team):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    keyworker = staff(Role.KEYWORKER, team=delivery)
    return AllocationFactory(keyworker=keyworker, team=delivery, episode__referral__team=arm_team)


def test_keyworker_sees_only_their_caseload(allocation, staff):
    colleague = staff(Role.KEYWORKER, team=allocation.team)
    assert list(Person.objects.visible_to(allocation.keyworker)) == [allocation.episode.person]
    assert not Person.objects.visible_to(colleague).exists()


def test_assessor_and_manager_see_people_referred_to_their_team(allocation, staff, arm_team):
    other = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    assert Person.objects.visible_to(staff(Role.ASSESSOR, team=arm_team)).count() == 1
    assert Person.objects.visible_to(staff(Role.TEAM_MANAGER, team=allocation.team)).count() == 1
    assert not Person.objects.visible_to(staff(Role.ASSESSOR, team=other)).exists()


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.TEAM_MANAGER])
def test_a_team_role_sees_exactly_its_teams_people_on_every_list_at_a_fixed_query_count(client, staff, arm_team, role):
    """The teams' involvements are in the user's one set of people: exactly the team's current records (a record
    merged into another is out even with an involvement left on it), and a list's queries do not grow with it."""
    other = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    ours = [EpisodeFactory(referral__team=arm_team) for _ in range(2)]
    EpisodeFactory(referral__team=other)
    merged = EpisodeFactory(referral__team=arm_team)
    Person.objects.filter(pk=merged.person_id).update(merged_into=ours[0].person)
    worker = staff(role, team=arm_team)

    assert set(Person.objects.visible_to(worker)) == {episode.person for episode in ours}
    assert set(Episode.objects.visible_to(worker)) == set(ours)

    client.force_login(worker)
    client.get("/api/v1/episodes/")  # a session's first request makes queries of its own
    with CaptureQueriesContext(connection) as short:
        listed = client.get("/api/v1/episodes/").json()["results"]
    assert {row["id"] for row in listed} == {episode.pk for episode in ours}
    ours += [EpisodeFactory(referral__team=arm_team) for _ in range(3)]
    with CaptureQueriesContext(connection) as long:
        listed = client.get("/api/v1/episodes/").json()["results"]
    assert {row["id"] for row in listed} == {episode.pk for episode in ours}
    assert len(long) == len(short)


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER])
def test_prescribers_and_harm_reduction_see_the_people_referred_to_their_team(allocation, staff, role):
    """Their teams' involvements are in the user's one set of people: the same people as a manager's, on every
    list that starts from a person."""
    team = TeamFactory(name="Prescribing", kind=TeamKind.PRESCRIBING)
    worker = staff(role, team=team)
    assert not Person.objects.visible_to(worker).exists()

    person = allocation.episode.person
    TeamInvolvement.objects.create(person=person, team=team, since=allocation.allocated_on, reason="Referred")
    PersonFactory()

    assert list(Person.objects.visible_to(worker)) == [person]
    assert list(Episode.objects.visible_to(worker)) == [allocation.episode]
    # Also a manager: the same answer.
    both = staff(role, team=team)
    both.groups.add(Group.objects.get(name=Role.TEAM_MANAGER.label))
    assert list(Person.objects.visible_to(both)) == [person]


def test_commissioner_sees_no_identifiable_record_even_with_a_team(allocation, staff, arm_team):
    assert not Person.objects.visible_to(staff(Role.COMMISSIONER, team=arm_team)).exists()


def test_data_admin_sees_everyone(allocation, data_admin):
    PersonFactory()
    assert Person.objects.visible_to(data_admin).count() == 2


def test_explicit_share_lasts_until_it_expires(allocation, staff):
    from datetime import timedelta

    from django.contrib.auth.models import Permission
    from django.utils import timezone

    outsider = staff(Role.KEYWORKER)
    share = PersonUserObjectPermission.objects.create(
        user=outsider,
        content_object=allocation.episode.person,
        permission=Permission.objects.get(codename="view_person"),
        expires_on=timezone.localdate(),
    )
    assert Person.objects.visible_to(outsider).count() == 1
    PersonUserObjectPermission.objects.filter(pk=share.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    del outsider._visibility_scope
    assert not Person.objects.visible_to(outsider).exists()


def test_a_merged_duplicate_is_visible_to_nobody(allocation, data_admin):
    duplicate = PersonFactory(merged_into=allocation.episode.person)
    assert duplicate not in Person.objects.visible_to(data_admin)


def test_an_open_task_lets_its_holder_reach_the_person_until_it_is_done(allocation, staff):
    from django.utils import timezone

    from referrals.choices import TaskKind
    from referrals.models import Task

    former_keyworker = staff(Role.KEYWORKER, team=allocation.team)
    person = allocation.episode.person
    task = Task.objects.create(
        person=person,
        episode=allocation.episode,
        kind=TaskKind.FOLLOW_UP,
        title="6 months after discharge: contact",
        assigned_to=former_keyworker,
        source_key="follow_up:test",
    )
    assert list(Person.objects.visible_to(former_keyworker)) == [person]
    Task.objects.filter(pk=task.pk).update(done_on=timezone.localdate())
    assert not Person.objects.visible_to(former_keyworker).exists()


def test_a_referrer_sees_the_person_and_referral_they_recorded_but_no_treatment_record(allocation, staff):
    from referrals.models import Episode, Referral

    referrer = staff(Role.REFERRER)
    Referral.objects.filter(pk=allocation.episode.referral_id).update(created_by=referrer)
    person = allocation.episode.person
    Person.objects.filter(pk=person.pk).update(created_by=referrer)
    assert list(Person.objects.visible_to(referrer, as_referrer=True)) == [person]
    assert list(Referral.objects.visible_to(referrer)) == [allocation.episode.referral]
    # Treatment pages start from the person too, so the default leaves referrals out.
    assert not Person.objects.visible_to(referrer).exists()
    assert not Episode.objects.visible_to(referrer).exists()


def test_the_visibility_subquery_reused_within_a_request_is_not_sorted(allocation):
    # Reused as raw SQL, a sort would stay in it and make PostgreSQL order every person to build the set.
    token = request_context.set(request_context.RequestContext(request_id="r1"))
    try:
        visible_people(allocation.keyworker)
        sql, _params = request_context.get().memo[("visible_people", allocation.keyworker.pk, False)]
    finally:
        request_context.reset(token)
    assert "ORDER BY" not in sql.upper()
