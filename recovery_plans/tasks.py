from celery import shared_task

from recovery_plans.services.alerts import raise_alerts


@shared_task(
    name="recovery_plans.morning_alerts",
    soft_time_limit=240,
    time_limit=300,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def morning_alerts() -> dict[str, int]:
    """Daily: plan due, plan review due, sub-intervention review due and waits over 14 days (idempotent)."""
    return raise_alerts()
