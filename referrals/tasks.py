from core.tasks import daily_job
from referrals.services.episodes import create_follow_up_tasks


@daily_job("referrals.follow_up_tasks")
def follow_up_tasks() -> int:
    """Daily: a task for the keyworker for each follow-up due within 14 days (idempotent)."""
    return create_follow_up_tasks()
