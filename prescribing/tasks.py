from core.tasks import daily_job
from prescribing.services import raise_prescribing_wait_tasks


@daily_job("prescribing.prescribing_wait_tasks")
def prescribing_wait_tasks() -> int:
    """Each morning: a task for each prescribing modality past its 10 (DRR: 5) working-day start (idempotent)."""
    return raise_prescribing_wait_tasks()
