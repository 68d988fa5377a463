import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.dates import long_date
from core.models import Team
from reporting.choices import KpiKind
from reporting.kpis import snapshots
from reporting.kpis.engine import compute
from reporting.periods import PeriodError, date_range, parse_period
from reporting.tasks import reporting_teams


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text} is not a date: write it as YYYY-MM-DD, for example 2025-04-01.") from None


class Command(BaseCommand):
    help = "Compute every KPI of the catalogue for a period (whole service or one team); optionally store them."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="A quarter (FY2025Q1) or a month (2025-04).")
        parser.add_argument("--from", dest="date_from", help="First day of a date range (YYYY-MM-DD), with --to.")
        parser.add_argument("--to", dest="date_to", help="Last day of a date range (YYYY-MM-DD), with --from.")
        parser.add_argument("--team", help="A team's code: limit the figures to that team.")
        parser.add_argument(
            "--all-teams",
            action="store_true",
            help="The whole service, then each ARM and ESAP team (the nightly job's scopes); table or --store only.",
        )
        parser.add_argument("--store", action="store_true", help="Store the figures as snapshots (upserted).")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, period, date_from, date_to, team, all_teams, store: bool, format: str, **options):
        chosen = self._period(period, date_from, date_to)
        if all_teams and (team or format == "json"):
            raise CommandError("--all-teams prints a table for each scope: use it without --team and --format json.")
        scopes = [None, *reporting_teams()] if all_teams else [self._team(team)]
        started = time.perf_counter()
        for scope in scopes:
            results = compute(chosen, team=scope)
            if store:
                snapshots.store(chosen, results, team=scope, job="compute_kpis command")
            if format == "json":
                self.stdout.write(json.dumps(as_json(chosen, results, scope)))
            else:
                self._table(chosen, results, scope)
        if format == "table":
            self.stdout.write(f"Computed {len(scopes)} scope(s) in {time.perf_counter() - started:.2f} s.")

    def _team(self, code):
        if not code:
            return None
        scope = Team.objects.filter(code=code).first()
        if scope is None:
            known = ", ".join(Team.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No team has the code {code}; the codes are: {known}.")
        return scope

    def _period(self, label, date_from, date_to):
        if label and (date_from or date_to):
            raise CommandError("Give either --period or --from and --to, not both.")
        try:
            if label:
                return parse_period(label)
            if date_from and date_to:
                return date_range(_date(date_from, "--from"), _date(date_to, "--to"))
        except PeriodError as error:
            raise CommandError(str(error)) from None
        raise CommandError("Give --period (FY2025Q1 or 2025-04), or --from and --to (YYYY-MM-DD).")

    def _table(self, period, results, scope):
        self.stdout.write(
            f"{period.label}: {long_date(period.start)} to {long_date(period.end)}, {scope or 'whole service'}"
        )
        self.stdout.write(f"{'KPI':<6} {'numerator':>9} {'denominator':>11} {'value':>8}  {'threshold':<10} met")
        for code, result in results.items():
            value = "-" if result.value is None else str(result.value)
            met = {True: "yes", False: "NO", None: "-"}[result.met]
            self.stdout.write(
                f"{code:<6} {result.numerator:>9} {result.denominator:>11} {value:>8}  {result.threshold:<10} {met}"
            )


def as_json(period, results, scope=None) -> dict:
    """The command's JSON: `{"period", "from", "to", "kpis": {code: {numerator, denominator, value, threshold,
    met}}}`; a value is a JSON number, or null when there is nothing to divide by."""
    document = {"period": period.label, "from": period.start.isoformat(), "to": period.end.isoformat()}
    if scope is not None:
        document["team"] = scope.code
    document["kpis"] = {
        code: {
            "numerator": result.numerator,
            "denominator": result.denominator,
            "value": _number(result),
            "threshold": result.threshold,
            "met": result.met,
        }
        for code, result in results.items()
    }
    return document


def _number(result):
    if result.value is None:
        return None
    return int(result.value) if result.kind == KpiKind.COUNT else float(result.value)
