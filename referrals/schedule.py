from celery.schedules import crontab

BEAT_SCHEDULE = {
    "referrals-follow-up-tasks": {"task": "referrals.follow_up_tasks", "schedule": crontab(hour=6, minute=15)},
    "referrals-expire-record-shares": {"task": "referrals.expire_record_shares", "schedule": crontab(hour=0, minute=5)},
}
