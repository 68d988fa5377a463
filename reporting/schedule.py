from celery.schedules import crontab

BEAT_SCHEDULE = {
    # After midnight, once the day's records are in: the current and previous month and quarter.
    "reporting-nightly-kpis": {"task": "reporting.nightly_kpis", "schedule": crontab(hour=1, minute=30)},
    # After the KPIs: the last twelve months' returns checked against the import's rules and hashed.
    "reporting-check-monthly-returns": {
        "task": "reporting.check_monthly_returns",
        "schedule": crontab(hour=2, minute=30),
    },
    # Exported files are kept 30 days (RETURN_FILE_RETENTION_DAYS), then removed; the export's record stays.
    "reporting-remove-expired-return-files": {
        "task": "reporting.remove_expired_return_files",
        "schedule": crontab(hour=3, minute=15),
    },
}
