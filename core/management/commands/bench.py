"""`python manage.py bench` (`make bench`): measure a seeded database and write the results as JSON; `--compare A
B` prints two result files side by side. docs/benchmarks.md says what each part measures and how to read it."""

import json
import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from core.bench import kpis, load, pages, results, returns, subjects
from core.choices import Role
from referrals.models import Episode, Person
from reporting.periods import PeriodError, parse_period, quarter_containing

PARTS = ("kpis", "pages", "returns", "load")


class Command(BaseCommand):
    help = "Benchmark the KPI engine, pages and API lists, return export and import, and a load run (JSON out)."

    def add_arguments(self, parser):
        parser.add_argument("--part", action="append", choices=PARTS, help="Only this part (repeatable).")
        parser.add_argument("--period", help="The quarter for the KPIs (default: the last full quarter).")
        parser.add_argument("--repeats", type=int, default=20, help="Timed requests per page (after a warm-up).")
        parser.add_argument("--kpi-repeats", type=int, default=3, help="Runs of the whole service's KPIs.")
        parser.add_argument("--kpi-teams", type=int, help="Time only this many teams' KPIs (default every team).")
        parser.add_argument(
            "--import-rows", type=int, help="Import only the transfer file's first people, about this many rows."
        )
        parser.add_argument(
            "--only",
            help="Pages part: only the pages whose name or path contains this text (or any of several, a,b,c).",
        )
        parser.add_argument("--load-users", type=int, default=50)
        parser.add_argument("--load-seconds", type=int, default=120)
        parser.add_argument("--load-workers", type=int, default=load.WORKERS, help="Gunicorn worker processes.")
        parser.add_argument("--load-threads", type=int, default=load.THREADS, help="Threads per worker.")
        parser.add_argument("--out", help="The JSON file (default docs/benchmarks/results/<date>-<commit>-<scale>).")
        parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="Compare two result files.")
        parser.add_argument(
            "--table",
            nargs="+",
            metavar="RESULT",
            help="The docs' markdown table, a column per result file (A.json,B.json: two parts of one scale's run).",
        )

    def handle(self, *args, part, period, repeats, out, compare, table, **options):
        if table:
            documents = [
                results.merged([json.loads(Path(name).read_text()) for name in names.split(",")]) for names in table
            ]
            self.stdout.write("\n".join(results.markdown_table(documents)))
            return
        if compare:
            before, after = (json.loads(Path(name).read_text()) for name in compare)
            self.stdout.write("\n".join(results.compare(before, after)))
            return
        if settings.PRODUCTION:
            raise CommandError("bench signs in as demo devices and rewrites test passwords: never in production.")
        parts = part or PARTS
        quarter = self._quarter(period)
        document = {"meta": self._meta(parts)}
        if "kpis" in parts:
            self._say(f"KPIs for {quarter.label}")
            document["kpis"] = kpis.all_kpis(quarter, repeats=options["kpi_repeats"], team_sample=options["kpi_teams"])
            document["w21"] = kpis.w21_against_floor(quarter, repeats=5)
            if not document["w21"]["agree"]:
                self.stderr.write(f"W21: the engine and the SQL floor disagree: {document['w21']}")
        picked = subjects.pick()
        if "kpis" in parts and Role.TEAM_MANAGER in picked.users:
            document["jit"] = kpis.jit_gain(picked.users[Role.TEAM_MANAGER], repeats=5)
        if "pages" in parts:
            self._say("pages and API lists")
            clients = {role: subjects.signed_in(user) for role, user in picked.users.items()}
            document["subjects"] = {role: user.username for role, user in picked.users.items()}
            document["pages"] = pages.run(
                picked, clients, repeats=repeats, progress=self._page_line, only=options["only"]
            )
        if "returns" in parts:
            document["returns"] = returns.run(import_rows=options["import_rows"], progress=self._say)
        if "load" in parts:
            document["load"] = load.run(
                users=options["load_users"],
                seconds=options["load_seconds"],
                workers=options["load_workers"],
                threads=options["load_threads"],
                progress=self._say,
            )
        document["meta"]["finished"] = results.now()
        document["meta"]["load_average_after"] = results.load_average()
        path = results.write(document, Path(out) if out else None)
        self.stdout.write(f"Results: {path}")

    def _quarter(self, label):
        if label:
            try:
                return parse_period(label)
            except PeriodError as error:
                raise CommandError(str(error)) from None
        return quarter_containing(quarter_containing(timezone.localdate()).start - timedelta(days=1))

    def _meta(self, parts) -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
        return {
            "started": results.now(),
            "commit": results.commit(),
            "database": settings.DATABASES["default"]["NAME"],
            "people": Person.objects.count(),
            "episodes": Episode.objects.count(),
            "parts": list(parts),
            "cpus": os.cpu_count(),
            "postgresql": server,
            "load_average_before": results.load_average(),
        }

    def _say(self, text):
        self.stderr.write(f"[{timezone.now():%H:%M:%S}] {text}")

    def _page_line(self, row):
        self.stderr.write(
            f"  {row['name']:<45} {row['status']} {row['median_ms']:>8} ms  p95 {row['p95_ms']:>8}  "
            f"{row['queries']:>3} queries  rows {row['rows']}"
        )
