from core.tasks import daily_job
from referrals.services import sharing
from referrals.services.episodes import create_follow_up_tasks


@daily_job("referrals.follow_up_tasks")
def follow_up_tasks() -> int:
    """Daily: a task for the keyworker for each follow-up due within 14 days (idempotent)."""
    return create_follow_up_tasks()


@daily_job("referrals.expire_record_shares")
def expire_record_shares() -> int:
    """Daily: shares past their last day lose their permission and are audited as expired."""
    return sharing.expire_shares()
