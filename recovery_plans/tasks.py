from core.tasks import daily_job
from recovery_plans.services.alerts import raise_alerts


@daily_job("recovery_plans.morning_alerts")
def morning_alerts() -> dict[str, int]:
    """Daily: plan due, plan review due, sub-intervention review due and waits over 14 days (idempotent)."""
    return raise_alerts()
