from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Before the working day, after the referrals follow-up job (06:15).
    "recovery-plans-morning-alerts": {"task": "recovery_plans.morning_alerts", "schedule": crontab(hour=6, minute=30)},
}
