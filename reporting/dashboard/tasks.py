from celery import shared_task

from core.tasks import TRANSIENT_ERRORS
from reporting.dashboard import services


@shared_task(
    name="reporting.build_quarterly_report",
    soft_time_limit=240,
    time_limit=300,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def build_quarterly_report(report_id: int) -> None:
    services.report_build(report_id=report_id)
