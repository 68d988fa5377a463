from datetime import date, timedelta

from django.utils import timezone

from referrals.choices import FollowUpKind, TaskKind
from referrals.models import FollowUp, Task
from referrals.schedule import BEAT_SCHEDULE
from referrals.services.episodes import add_months
from referrals.tasks import follow_up_tasks
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def test_six_months_after_31_august_is_28_february():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)


def test_twelve_months_after_29_february_is_28_february():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_daily_job_creates_one_task_for_the_owner_for_follow_ups_due_within_14_days(
    allocated_episode, keyworker, delivery_team
):
    today = timezone.localdate()
    owner = {"keyworker": keyworker, "team": delivery_team}
    FollowUp.objects.create(
        episode=allocated_episode, kind=FollowUpKind.SIX_MONTHS, due_on=today + timedelta(days=14), **owner
    )
    FollowUp.objects.create(
        episode=allocated_episode, kind=FollowUpKind.TWELVE_MONTHS, due_on=today + timedelta(days=15), **owner
    )
    assert follow_up_tasks.delay().get() == 1
    assert follow_up_tasks.delay().get() == 0
    task = Task.objects.get()
    assert task.kind == TaskKind.FOLLOW_UP
    assert (task.assigned_to, task.team) == (keyworker, delivery_team)


def test_a_follow_up_with_no_keyworker_goes_to_the_episodes_team(episode):
    FollowUp.objects.create(episode=episode, kind=FollowUpKind.SIX_MONTHS, due_on=timezone.localdate())
    follow_up_tasks.delay().get()
    task = Task.objects.get()
    assert (task.assigned_to, task.team) == (None, episode.team)


def test_follow_up_job_runs_daily():
    assert "referrals.follow_up_tasks" in [entry["task"] for entry in BEAT_SCHEDULE.values()]
