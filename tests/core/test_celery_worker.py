"""A real task crosses Redis to a real Celery worker process and its answer comes back."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue():
    if not os.environ.get("REDIS_URL"):
        if os.environ.get("REQUIRE_CELERY_WORKER"):
            pytest.fail("REQUIRE_CELERY_WORKER is set but REDIS_URL is not: the round trip cannot run.")
        pytest.skip("No REDIS_URL: no broker on this machine, so no worker to reach (tasks run inline).")
    queue = f"roundtrip-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        yield queue
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.celery_worker
def test_a_task_sent_through_redis_is_answered_by_a_real_worker(worker_queue):
    message = uuid.uuid4().hex
    result = app.send_task("core.ping", args=[message], queue=worker_queue)
    answer = result.get(timeout=90)
    assert answer["echo"] == message
    assert answer["worker"]
