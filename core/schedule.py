from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Short and frequent: an unsealed audit row is chained within five minutes of its commit.
    "core-seal-audit": {"task": "core.seal_audit", "schedule": crontab(minute="*/5")},
}
