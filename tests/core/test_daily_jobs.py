"""Every morning job retries a lost database connection, never a broken rule, and stops well inside the broker's
visibility timeout (a job still running when the broker gives it to another worker would run twice)."""

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError

from prescribing.tasks import prescribing_wait_tasks
from recovery_plans.tasks import morning_alerts
from referrals.tasks import follow_up_tasks

DAILY_JOBS = [prescribing_wait_tasks, morning_alerts, follow_up_tasks]


@pytest.mark.parametrize("job", DAILY_JOBS, ids=lambda job: job.name)
def test_daily_job_retries_only_transient_database_errors(job):
    assert set(job.autoretry_for) == {OperationalError, InterfaceError}


@pytest.mark.parametrize("job", DAILY_JOBS, ids=lambda job: job.name)
def test_daily_job_ends_long_before_the_broker_would_hand_it_out_again(job):
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert job.soft_time_limit < job.time_limit < visibility_timeout


@pytest.mark.parametrize("job", DAILY_JOBS, ids=lambda job: job.name)
def test_daily_job_is_in_the_beat_schedule(job):
    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert job.name in scheduled
