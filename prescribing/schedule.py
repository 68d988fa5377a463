from celery.schedules import crontab

BEAT_SCHEDULE = {
    "prescribing-wait-tasks": {"task": "prescribing.prescribing_wait_tasks", "schedule": crontab(hour=6, minute=30)},
}
