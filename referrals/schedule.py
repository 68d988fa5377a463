from celery.schedules import crontab

BEAT_SCHEDULE = {
    "referrals-follow-up-tasks": {"task": "referrals.follow_up_tasks", "schedule": crontab(hour=6, minute=15)},
}
