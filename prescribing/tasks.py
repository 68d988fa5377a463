from celery import shared_task

from prescribing.services import raise_prescribing_wait_tasks


@shared_task(
    name="prescribing.prescribing_wait_tasks",
    soft_time_limit=240,
    time_limit=300,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def prescribing_wait_tasks() -> int:
    """Each morning: a task for each prescribing modality past its 10 (DRR: 5) working-day start (idempotent)."""
    return raise_prescribing_wait_tasks()
