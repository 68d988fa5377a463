from core.tasks import daily_job
from prescribing.services import raise_prescribing_wait_tasks, record_modality_starts


@daily_job("prescribing.prescribing_wait_tasks")
def prescribing_wait_tasks() -> dict[str, int]:
    """Each morning: start the modalities whose first script begins today (written ahead), then a task for each
    prescribing modality past its 10 (DRR: 5) working-day start. Both are idempotent."""
    return {"modalities_started": record_modality_starts(), "wait_tasks": raise_prescribing_wait_tasks()}
