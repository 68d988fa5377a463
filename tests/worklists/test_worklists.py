"""Work lists (issue 14): stages, owners, scope, paging and query counts, on pages and API alike."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.factories import CompleteAssessmentFactory
from core.choices import AuditAction, Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent
from recovery_plans.factories import PlanVersionFactory, RecoveryPlanFactory
from recovery_plans.models import VersionStatus
from referrals.choices import FollowUpKind
from referrals.factories import AllocationFactory, EpisodeFactory
from referrals.models import FollowUp
from worklists import selectors
from worklists.selectors import Stage

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def delivery(db):
    return TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def keyworker(staff, delivery):
    return staff(Role.KEYWORKER, team=delivery)


@pytest.fixture
def manager(staff, delivery):
    return staff(Role.TEAM_MANAGER, team=delivery)


def _episode(arm_team, *, assessed_days_ago=None, keyworker=None, delivery=None):
    episode = EpisodeFactory(referral__team=arm_team, opened_on=TODAY - timedelta(days=200))
    if assessed_days_ago is not None:
        CompleteAssessmentFactory(
            episode=episode, started_on=episode.opened_on, completed_on=TODAY - timedelta(days=assessed_days_ago)
        )
    if keyworker is not None:
        AllocationFactory(episode=episode, keyworker=keyworker, team=delivery, allocated_on=episode.opened_on)
    return episode


def _stages(user, **filters):
    return {episode.pk: episode.stage for episode in selectors.team_episodes(user, **filters)}


def test_each_stage_of_the_journey(arm_team, assessor, keyworker, delivery):
    waiting = _episode(arm_team)
    assessed = _episode(arm_team, assessed_days_ago=10)
    submitted = _episode(arm_team, assessed_days_ago=10, keyworker=keyworker, delivery=delivery)
    PlanVersionFactory(plan__episode=submitted, status=VersionStatus.SUBMITTED, submitted_at=timezone.now())
    review = _episode(arm_team, assessed_days_ago=80, keyworker=keyworker, delivery=delivery)
    RecoveryPlanFactory(episode=review)
    settled = _episode(arm_team, assessed_days_ago=10, keyworker=keyworker, delivery=delivery)
    RecoveryPlanFactory(episode=settled)
    assert _stages(assessor) == {
        waiting.pk: Stage.AWAITING_ASSESSMENT,
        assessed.pk: Stage.AWAITING_ALLOCATION,
        submitted.pk: Stage.PLAN_TO_SIGN_OFF,
        review.pk: Stage.REVIEW_DUE,
        settled.pk: Stage.IN_TREATMENT,
    }
    assert list(_stages(assessor, stage=Stage.REVIEW_DUE)) == [review.pk]
    row = selectors.team_episodes(assessor, stage=Stage.REVIEW_DUE).get()
    assert row.review_due_on == TODAY - timedelta(days=80) + timedelta(days=84)
    assert row.keyworker_name == keyworker.get_full_name()


def test_team_episodes_are_the_teams_only(arm_team, assessor, manager, keyworker, delivery, staff):
    ours = _episode(arm_team)
    allocated_to_delivery = _episode(arm_team, assessed_days_ago=5, keyworker=keyworker, delivery=delivery)
    EpisodeFactory(referral__team=TeamFactory(name="ESAP", kind=TeamKind.ESAP))
    assert set(_stages(assessor)) == {ours.pk, allocated_to_delivery.pk}
    assert set(_stages(manager)) == {allocated_to_delivery.pk}
    assert set(_stages(manager, keyworker_id=keyworker.pk)) == {allocated_to_delivery.pk}


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        ("worklists:team-episodes", (Role.ASSESSOR, Role.TEAM_MANAGER), (Role.KEYWORKER, Role.REFERRER)),
        ("worklists:follow-ups", (Role.KEYWORKER, Role.TEAM_MANAGER), (Role.ASSESSOR, Role.COMMISSIONER)),
        ("worklists:team", (Role.TEAM_MANAGER,), (Role.KEYWORKER, Role.ASSESSOR, Role.COMMISSIONER)),
    ],
)
def test_each_list_for_its_roles_on_page_api_and_menu(client, staff, delivery, url, allowed, refused):
    api = "/api/v1/work-lists/" + reverse(url).split("/")[-2] + "/"
    for role in allowed:
        client.force_login(staff(role, team=delivery))
        assert client.get(reverse(url)).status_code == 200
        assert client.get(api).status_code == 200
        assert reverse(url) in client.get(reverse("home")).text
    for role in refused:
        client.force_login(staff(role, team=delivery))
        assert client.get(reverse(url)).status_code == 403
        assert client.get(api).status_code == 403
        assert f'href="{reverse(url)}"' not in client.get(reverse("home")).text


def test_team_episodes_page_is_fixed_query_and_paged(client, arm_team, assessor, django_assert_max_num_queries):
    for _ in range(60):
        _episode(arm_team)
    client.force_login(assessor)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("worklists:team-episodes"))
    assert first.text.count("/referrals/episodes/") == 50
    assert "Awaiting assessment" in first.text
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="referrals.Episode").latest("id")
    assert len(event.details["ids"]) == 50
    with django_assert_max_num_queries(14):
        client.get(reverse("worklists:team-episodes"), {"stage": Stage.AWAITING_ASSESSMENT})
    body = client.get("/api/v1/work-lists/team-episodes/").json()
    assert body["count"] == 60
    assert body["results"][0]["stage"] == Stage.AWAITING_ASSESSMENT
    assert len(client.get(body["next"]).json()["results"]) == 10


def _follow_up(episode, keyworker, team, due_in_days):
    return FollowUp.objects.create(
        episode=episode,
        kind=FollowUpKind.SIX_MONTHS,
        due_on=TODAY + timedelta(days=due_in_days),
        keyworker=keyworker,
        team=team,
    )


def _discharged(arm_team, keyworker, delivery):
    episode = _episode(arm_team, keyworker=keyworker, delivery=delivery)
    episode.allocations.update(ended_on=TODAY)
    type(episode).objects.filter(pk=episode.pk).update(discharged_on=TODAY, discharge_reason_id=1)
    return episode


def test_follow_ups_list_the_teams_and_the_keyworker_sees_their_own(
    client, arm_team, keyworker, manager, delivery, staff, django_assert_max_num_queries
):
    colleague = staff(Role.KEYWORKER, team=delivery)
    mine = [_follow_up(_discharged(arm_team, keyworker, delivery), keyworker, delivery, n) for n in range(55)]
    theirs = _follow_up(_discharged(arm_team, colleague, delivery), colleague, delivery, 1)
    elsewhere = TeamFactory(name="Delivery South", kind=TeamKind.DELIVERY)
    _follow_up(_discharged(arm_team, staff(Role.KEYWORKER, team=elsewhere), elsewhere), None, elsewhere, 1)

    assert set(selectors.team_follow_ups(manager)) == {*mine, theirs}
    # A keyworker of the team sees only what they may open: their own follow-ups, not a colleague's person.
    assert set(selectors.team_follow_ups(keyworker)) == set(mine)
    assert set(selectors.team_follow_ups(colleague, mine_only=True)) == {theirs}

    client.force_login(manager)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("worklists:follow-ups")).text
    assert page.count("/referrals/follow-ups/") == 50
    assert client.get("/api/v1/work-lists/follow-ups/").json()["count"] == 56


def test_team_list_counts_each_members_work(client, arm_team, manager, keyworker, delivery, staff,
                                            django_assert_max_num_queries):  # fmt: skip
    for _ in range(3):
        _episode(arm_team, assessed_days_ago=5, keyworker=keyworker, delivery=delivery)
    for _ in range(55):
        staff(Role.KEYWORKER, team=delivery)
    member = {m.pk: m for m in selectors.team_members(manager)}[keyworker.pk]
    assert (member.caseload, member.open_tasks, member.overdue_tasks, member.follow_ups_due) == (3, 0, 0, 0)
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("worklists:team"))
    assert response.status_code == 200
    assert client.get("/api/v1/work-lists/team/").json()["count"] == 57
