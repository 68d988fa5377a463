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
    # After the recovery plan and prescribing alerts (06:30), so a record they already raised a task for is
    # not given a second one.
    "reporting-kpi-at-risk-tasks": {"task": "reporting.kpi_at_risk_tasks", "schedule": crontab(hour=6, minute=45)},
    "reporting-purge-transfer-import-files": {
        "task": "reporting.purge_transfer_import_files",
        "schedule": crontab(hour=2, minute=15),
    },
}
