import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError

# A lost connection or a failover is worth another try; a broken rule is a bug that a retry would only repeat.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def daily_job(name: str):
    """The Celery options every morning job shares: a time limit well inside the broker's visibility
    timeout, and retries with backoff for transient database errors only."""
    return shared_task(
        name=name,
        soft_time_limit=240,
        time_limit=300,
        autoretry_for=TRANSIENT_ERRORS,
        retry_backoff=True,
        max_retries=3,
    )


@shared_task(name="core.ping")
def ping(value: str) -> dict:
    """Answers with the worker's host name: proves a task crossed the broker to a real worker."""
    return {"echo": value, "worker": socket.gethostname()}
