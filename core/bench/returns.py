"""The monthly return export, the transfer-of-care export and the transfer import, each run as its own process
under `/usr/bin/time -v` (wall time and peak memory of the whole command, as an operator would run it). The
import goes into a scratch database made for it and dropped after, so the bench database is left as it was."""

import os
import re
import subprocess  # nosec B404: fixed argument lists of our own commands, no shell
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from reporting.periods import month_containing

TIME = "/usr/bin/time"
MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
# An empty migrated database on the same server, copied for each import.
TEMPLATE = "bench_import_template"


def database_url(name: str | None = None) -> str:
    """The configured database's URL, or another database's on the same server."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name or db['NAME']}"


def _timed_command(args: list[str], *, database: str) -> dict:
    """Runs `manage.py ARGS` against the database; wall seconds, peak resident memory (MB) and its output."""
    environment = {**os.environ, "DATABASE_URL": database_url(database)}
    command = [TIME, "-v", sys.executable, MANAGE, *args]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # nosec B603
    report = finished.stderr
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", report)
    user = re.search(r"User time \(seconds\): ([\d.]+)", report)
    return {
        "status": finished.returncode,
        "seconds": _seconds(wall.group(1)) if wall else None,
        "cpu_s": float(user.group(1)) if user else None,
        "peak_mb": round(int(peak.group(1)) / 1024) if peak else None,
        "stdout": finished.stdout,
        "stderr": report,
    }


def _seconds(clock: str) -> float:
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total


def _export(args: list[str], out: Path) -> dict:
    run = _timed_command(["export_return", *args, "--out", str(out)], database=settings.DATABASES["default"]["NAME"])
    written = re.search(r"(\d+) episode rows, (\d+) TOP rows", run["stderr"])
    rows = int(written.group(1)) + int(written.group(2)) if written else 0
    return _summary(run, rows, target_rows_s=50_000, target_peak_mb=300)


def _summary(run: dict, rows: int, **targets) -> dict:
    seconds = run["seconds"] or 0
    result = {
        "status": run["status"],
        "rows": rows,
        "seconds": seconds,
        "cpu_s": run["cpu_s"],
        "rows_per_s": round(rows / seconds) if seconds else None,
        "peak_mb": run["peak_mb"],
        **targets,
    }
    if run["status"]:
        result["error"] = run["stderr"][-2000:]
    return result


def _scratch_database(name: str, template: str, progress):
    """An empty migrated database with teams. Migrating from nothing takes minutes, so the first run keeps a migrated
    template beside the bench database; later runs copy it and apply only newer migrations."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if cursor.fetchone() is None:
            progress(f"making the template {template} (migrate from nothing, once)")
            cursor.execute(f'CREATE DATABASE "{template}"')  # nosec B608: our own name, quoted
            _migrate(template)
            # A receiving provider has its teams (the import routes referrals to its ARM, ESAP and delivery
            # teams) and staff; the demo's are enough, and keyworkers the file names are made inactive.
            staff = "from core.demo import seed_staff; seed_staff()"
            staffed = _timed_command(["shell", "-c", staff], database=template)
            if staffed["status"]:
                raise RuntimeError(staffed["stderr"][-2000:])
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')  # nosec B608
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')  # nosec B608
    _migrate(name)


def _migrate(database: str):
    migrated = _timed_command(["migrate", "--noinput"], database=database)
    if migrated["status"]:
        raise RuntimeError(migrated["stderr"][-2000:])


def _drop(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # nosec B608


def _first_people(source: Path, target: Path, rows: int) -> None:
    """The file's first rows up to the first person who starts after `rows` of them (a person's rows are kept
    together: the import checks them as one)."""
    with source.open() as read, target.open("w") as write:
        write.write(next(read))
        last = None
        for count, line in enumerate(read):
            client = line.split(",", 2)[1]
            if count >= rows and client != last:
                break
            write.write(line)
            last = client


def run(*, month=None, import_rows=None, progress=print) -> dict:
    """Export last month's return and the transfer file, then import the transfer file into a scratch database."""
    month = month or month_containing(timezone.localdate().replace(day=1) - timedelta(days=1))
    scratch = f"{settings.DATABASES['default']['NAME']}_bench_import"
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-returns-") as folder:
        monthly, transfer = Path(folder) / "monthly.csv", Path(folder) / "transfer.csv"
        progress(f"export --month {month.label}")
        results["monthly_export"] = {"month": month.label, **_export(["--month", month.label], monthly)}
        progress("export --transfer")
        results["transfer_export"] = _export(["--transfer"], transfer)
        if import_rows:
            whole, transfer = transfer, Path(folder) / "transfer-part.csv"
            _first_people(whole, transfer, import_rows)
        progress(f"import into the scratch database {scratch}")
        _scratch_database(scratch, TEMPLATE, progress)
        try:
            imported = _timed_command(["import_return", str(transfer), "--create-staff", "--json"], database=scratch)
            read = re.search(r'"rows": (\d+)', imported["stdout"])
            results["transfer_import"] = _summary(imported, int(read.group(1)) if read else 0, target_rows_s=5_000)
        finally:
            _drop(scratch)
    return results
