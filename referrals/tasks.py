from celery import shared_task

from referrals.services.episodes import create_follow_up_tasks


@shared_task(
    name="referrals.follow_up_tasks",
    soft_time_limit=240,
    time_limit=300,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def follow_up_tasks() -> int:
    """Daily: a task for the keyworker for each follow-up due within 14 days (idempotent)."""
    return create_follow_up_tasks()
