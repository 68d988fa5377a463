"""The load run: gunicorn on 127.0.0.1 as docs/deployment.md configures it for 2 cores, and locust's headless
keyworkers (core/bench/locustfile.py) browsing their caseloads for a fixed time. Nothing listens beyond loopback.

The keyworkers are prepared in the bench database first: those holding a realistic caseload (30-60 open
episodes, the nearest to it when the seed has none) get one known password and the demo enrolment, so the
sign-in form passes both factors as it does for the demo logins (`TWO_FACTOR_TRUST_DEMO_DEVICES`, never on in
production; `bench` refuses to run there)."""

import csv
import json
import os
import secrets
import signal
import socket
import subprocess  # nosec B404: fixed argument lists, no shell
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Count, F, Func

from core.bench.returns import database_url
from core.demo import DEMO_PASSWORD
from core.models import User
from core.two_factor import mark_demo_enrolled
from referrals.models import Allocation

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
REALISTIC = (30, 60)
# docs/deployment.md, "Gunicorn": for 2 cores. Kept-alive connections stay open longer than a keyworker reads a page
# (1-2 s here) and than a proxy keeps an idle upstream connection (60 s is common): gunicorn's default of 2 s
# closed them as the next request was sent, and the client saw a reset.
WORKERS, THREADS, KEEP_ALIVE_S = 3, 4, 75


def prepare_keyworkers(count: int) -> tuple[list[str], str]:
    """`count` keyworkers with the most realistic caseloads, with the demo device and a password the run knows
    (the demo password where the seed gave them that one, else one fresh password for all)."""
    middle = sum(REALISTIC) / 2
    held = (
        Allocation.objects.filter(ended_on__isnull=True, episode__discharged_on__isnull=True, keyworker__is_active=True)
        .values("keyworker_id")
        .annotate(held=Count("pk"))
        .annotate(distance=Func(F("held") - middle, function="ABS"))
        .order_by("distance", "keyworker_id")[:count]
    )
    ids = [row["keyworker_id"] for row in held]
    users = list(User.objects.filter(pk__in=ids).order_by("username"))
    password = DEMO_PASSWORD
    if not all(user.check_password(password) for user in users[:1]):
        # Seeds other than the demo's leave passwords unknown: one fresh password for all of them.
        password = secrets.token_urlsafe(16)
        User.objects.filter(pk__in=ids).update(password=make_password(password))
    for user in users:
        mark_demo_enrolled(user)
    return [user.username for user in users], password


def caseload_sizes(usernames) -> list[int]:
    rows = (
        Allocation.objects.filter(
            ended_on__isnull=True, episode__discharged_on__isnull=True, keyworker__username__in=usernames
        )
        .values("keyworker_id")
        .annotate(held=Count("pk"))
    )
    return sorted(row["held"] for row in rows)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process, seconds: int = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited before it answered")
        try:
            with urllib.request.urlopen(url + "/healthz/", timeout=2):  # nosec B310: our own loopback address
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz/ in time")


def _aggregated(prefix: str) -> dict:
    with open(f"{prefix}_stats.csv") as stats:
        # Rows reset with the statistics (the sign-in) are left with no requests and no percentiles.
        rows = {row["Name"]: row for row in csv.DictReader(stats) if int(row["Request Count"])}

    def figures(row):
        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "requests_per_s": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
        }

    total = rows.pop("Aggregated")
    with open(f"{prefix}_failures.csv") as failures:
        errors = [f"{row['Name']}: {row['Error']} (x{row['Occurrences']})" for row in csv.DictReader(failures)]
    return {"all": figures(total), "by_page": {name: figures(row) for name, row in rows.items()}, "errors": errors}


def run(*, users: int, seconds: int, workers: int = WORKERS, threads: int = THREADS, progress=print) -> dict:
    usernames, password = prepare_keyworkers(users)
    sizes = caseload_sizes(usernames)
    progress(f"{len(usernames)} keyworkers prepared, caseloads {sizes[0] if sizes else 0}-{sizes[-1] if sizes else 0}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "DATABASE_URL": database_url(), "WEB_CONCURRENCY": str(workers)}
    environment.pop("GUNICORN_CMD_ARGS", None)
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        users_file = Path(folder) / "users.json"
        users_file.write_text(json.dumps({"usernames": usernames, "password": password}))
        gunicorn = subprocess.Popen(  # nosec B603
            [
                str(bin_dir / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--keep-alive",
                str(KEEP_ALIVE_S),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
        )
        try:
            _wait_until_up(url, gunicorn)
            progress(f"gunicorn {workers} workers x {threads} threads on {url}; locust {users} users, {seconds} s")
            prefix = str(Path(folder) / "locust")
            locust = subprocess.run(  # nosec B603
                [
                    str(bin_dir / "locust"),
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(max(1, users // 10)),
                    # The locustfile ends the run `seconds` after the last sign-in; this is only a backstop.
                    "--run-time",
                    f"{seconds * 3 + 300}s",
                    "--host",
                    url,
                    "--csv",
                    prefix,
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                env={**environment, "BENCH_LOAD_USERS": str(users_file), "BENCH_SECONDS": str(seconds)},
                capture_output=True,
                text=True,
                check=False,
            )
            if not Path(f"{prefix}_stats.csv").exists():
                raise RuntimeError(f"locust wrote no statistics:\n{locust.stderr[-3000:]}")
            result = _aggregated(prefix)
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
    return {
        "users": users,
        "seconds": seconds,
        "workers": workers,
        "threads": threads,
        "think_time_s": [1, 2],
        "caseloads": {"min": min(sizes, default=0), "max": max(sizes, default=0)},
        **result,
        "target_p95_ms": 300,
        "locust_exit": locust.returncode,
    }
