import socket

from celery import shared_task


@shared_task(name="core.ping")
def ping(value: str) -> dict:
    """Answers with the worker's host name: proves a task crossed the broker to a real worker."""
    return {"echo": value, "worker": socket.gethostname()}
