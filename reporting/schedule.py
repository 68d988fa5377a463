from celery.schedules import crontab

BEAT_SCHEDULE = {
    # After midnight, once the day's records are in: the current and previous month and quarter.
    "reporting-nightly-kpis": {"task": "reporting.nightly_kpis", "schedule": crontab(hour=1, minute=30)},
}
