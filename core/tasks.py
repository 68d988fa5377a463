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


@shared_task(
    name="core.seal_audit",
    soft_time_limit=240,
    time_limit=300,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def seal_audit() -> int:
    """Chain the audit rows that a request's own sealing left behind (it gives way when another sealer holds
    the lock, and that sealer may have finished before the rows committed): they wait minutes, not for the
    next write. Waits for the lock: a sealer never runs alongside another."""
    from core import audit

    return audit.seal(wait=True)
