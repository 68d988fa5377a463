"""The morning alerts job: each kind appears exactly at its boundary, once, for the right person, and never
for a discharged episode."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from core.models import DischargeReason
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention, PlanReview, PlanVersion, RecoveryPlan, VersionStatus
from recovery_plans.services.alerts import ALERT_LEAD_DAYS, raise_alerts
from recovery_plans.tasks import morning_alerts
from referrals.caseload import due_items_for
from referrals.choices import TaskKind
from referrals.models import Task
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures: teams, personas, episodes)

pytestmark = pytest.mark.django_db


def today():
    # Read when each test runs, not when the module is imported: a run may cross midnight.
    return timezone.localdate()


def days_ago(days):
    return today() - timedelta(days=days)


def kinds():
    return sorted(Task.objects.values_list("kind", flat=True))


@pytest.fixture
def episode_400(allocated_episode):
    allocated_episode.opened_on = days_ago(400)
    allocated_episode.save()
    return allocated_episode


def started(episode, days):
    return ModalityFactory(
        episode=episode,
        intervention=Intervention.objects.get(code="CBT"),
        referred_on=days_ago(days),
        started_on=days_ago(days),
    )


@pytest.mark.parametrize(("started_days_ago", "raised"), [(20 - ALERT_LEAD_DAYS, False), (21 - ALERT_LEAD_DAYS, True)])
def test_plan_due_is_raised_a_week_before_treatment_start_plus_21_days(
    episode_400, keyworker, started_days_ago, raised
):
    started(episode_400, started_days_ago)
    raise_alerts(today=today())
    plan_tasks = Task.objects.filter(kind=TaskKind.RECOVERY_PLAN_DUE)
    assert plan_tasks.exists() == raised
    if raised:
        task = plan_tasks.get()
        assert (task.due_on, task.assigned_to, task.title) == (
            days_ago(started_days_ago - 21),
            keyworker,
            "Recovery plan due",
        )


def test_plan_due_turns_overdue_on_day_22_and_is_listed_once_on_the_caseload(episode_400):
    started(episode_400, 21)
    raise_alerts(today=today())
    items = [i for i in due_items_for([episode_400.pk])[episode_400.pk] if i.label == "Recovery plan due"]
    assert [(i.due_on, i.overdue) for i in items] == [(today(), False)]
    Task.objects.update(due_on=days_ago(1))  # as if a day later: due on day 21, overdue from day 22
    items = [i for i in due_items_for([episode_400.pk])[episode_400.pk] if i.label == "Recovery plan due"]
    assert [i.overdue for i in items] == [True]


def test_a_signed_plan_raises_nothing_and_closes_the_open_alert(episode_400, keyworker):
    started(episode_400, 30)
    raise_alerts(today=today())
    plan = RecoveryPlan.objects.create(episode=episode_400)
    PlanVersion.objects.create(
        plan=plan, number=1, author=keyworker, status=VersionStatus.SIGNED, signed_by=keyworker, signed_on=today()
    )
    assert raise_alerts(today=today())["closed"] == 1
    assert Task.objects.get(kind=TaskKind.RECOVERY_PLAN_DUE).done_on == today()


@pytest.mark.parametrize(("reviewed_days_ago", "raised"), [(76, False), (77, True)])
def test_plan_review_is_raised_a_week_before_the_interval_after_the_last_review(
    episode_400, keyworker, reviewed_days_ago, raised
):
    plan = RecoveryPlan.objects.create(episode=episode_400, review_interval_days=84)
    version = PlanVersion.objects.create(
        plan=plan, number=1, author=keyworker, status=VersionStatus.SIGNED, signed_by=keyworker, signed_on=days_ago(200)
    )
    PlanReview.objects.create(
        plan=plan, reviewed_on=days_ago(reviewed_days_ago), reviewed_version=version, by=keyworker
    )
    raise_alerts(today=today())
    tasks = Task.objects.filter(kind=TaskKind.PLAN_REVIEW_DUE)
    assert tasks.exists() == raised
    if raised:
        assert tasks.get().due_on == days_ago(reviewed_days_ago - 84)


@pytest.mark.parametrize(("started_days_ago", "raised"), [(174, False), (175, True)])
def test_sub_intervention_review_is_raised_a_week_before_six_months(episode_400, started_days_ago, raised):
    modality = started(episode_400, started_days_ago)
    raise_alerts(today=today())
    tasks = Task.objects.filter(kind=TaskKind.MODALITY_REVIEW_DUE)
    assert tasks.exists() == raised
    if raised:
        assert tasks.get().title == f"{modality.intervention} review due"
        assert tasks.get().due_on == days_ago(started_days_ago - 182)


@pytest.mark.parametrize(("waiting_days", "raised"), [(14, False), (15, True)])
def test_a_clock_past_14_days_raises_a_task_for_the_episodes_team(episode_400, arm_team, waiting_days, raised):
    ModalityFactory(episode=episode_400, referred_on=days_ago(waiting_days))
    raise_alerts(today=today())
    tasks = Task.objects.filter(kind=TaskKind.MODALITY_WAIT)
    assert tasks.exists() == raised
    if raised:
        task = tasks.get()
        assert (task.team, task.assigned_to, task.due_on) == (arm_team, None, days_ago(waiting_days - 21))


def test_running_twice_raises_nothing_new(episode_400):
    started(episode_400, 300)
    ModalityFactory(episode=episode_400, referred_on=days_ago(20))
    first = raise_alerts(today=today())
    assert first["raised"] == 3
    assert raise_alerts(today=today()) == {"raised": 0, "closed": 0}
    assert kinds() == sorted([TaskKind.RECOVERY_PLAN_DUE, TaskKind.MODALITY_REVIEW_DUE, TaskKind.MODALITY_WAIT])


def test_nothing_is_raised_for_a_discharged_episode_and_its_open_alerts_close(episode_400):
    started(episode_400, 300)
    ModalityFactory(episode=episode_400, referred_on=days_ago(20))
    raise_alerts(today=today())
    episode_400.discharged_on = today()
    episode_400.discharge_reason = DischargeReason.objects.get(code="85")
    episode_400.save()
    result = raise_alerts(today=today())
    assert result == {"raised": 0, "closed": 3}
    assert not Task.objects.filter(done_on__isnull=True).exists()


def test_an_unallocated_episode_alerts_its_team(episode, arm_team):
    episode.opened_on = days_ago(400)
    episode.save()
    started(episode, 300)
    raise_alerts(today=today())
    task = Task.objects.get(kind=TaskKind.RECOVERY_PLAN_DUE)
    assert (task.assigned_to, task.team) == (None, arm_team)


def test_the_job_runs_daily_through_celery_and_calls_the_service(episode_400):
    started(episode_400, 300)
    assert morning_alerts.delay().get() == {"raised": 2, "closed": 0}
    schedule = celery_app.conf.beat_schedule["recovery-plans-morning-alerts"]
    assert schedule["task"] == "recovery_plans.morning_alerts"
    assert morning_alerts.max_retries == 3
