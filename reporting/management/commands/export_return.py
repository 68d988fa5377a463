import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.periods import MONTH, PeriodError, parse_period
from reporting.returns.export import ExportSpec
from reporting.returns.services import return_export


class Command(BaseCommand):
    help = (
        "Write the monthly NDTMS return (--month 2025-04) or the transfer-of-care file (--transfer) in the "
        "interchange format of domain.md section 6. --out - writes to standard output."
    )
    # The system checks import every URL's views (PDF rendering among them): seconds of start-up a data export
    # does not use. `manage.py check` and the deploy run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month of the return, YYYY-MM (for example 2025-04).")
        parser.add_argument("--transfer", action="store_true", help="Every referral and episode, X fields too.")
        parser.add_argument("--as-of", help="With --transfer: the day the file is written as at (default today).")
        parser.add_argument("--out", required=True, help="The file to write, or - for standard output.")

    def handle(self, *args, month, transfer, as_of, out, **options):
        spec = self._spec(month=month, transfer=transfer, as_of=as_of)
        if out == "-":
            result = return_export(spec=spec, stream=sys.stdout.buffer, by=None)
            sys.stdout.buffer.flush()
        else:
            path = Path(out)
            if path.is_dir():
                path = path / spec.file_name
            with path.open("wb") as stream:
                result = return_export(spec=spec, stream=stream, by=None)
        message = (
            f"{result.file_name}: {result.episode_rows} episode rows, {result.top_rows} TOP rows, "
            f"sha256 {result.checksum}"
        )
        self.stderr.write(message)

    def _spec(self, *, month, transfer, as_of) -> ExportSpec:
        if transfer:
            if month:
                raise CommandError("--transfer writes every referral as at one day: leave out --month.")
            try:
                day = date.fromisoformat(as_of) if as_of else timezone.localdate()
            except ValueError:
                raise CommandError(f"--as-of {as_of} is not a date: write it as YYYY-MM-DD.") from None
            return ExportSpec.transfer_as_of(day)
        if as_of:
            raise CommandError("--as-of goes with --transfer: a monthly return is as at the month's last day.")
        if not month:
            raise CommandError("Say which month (--month 2025-04) or ask for the transfer file (--transfer).")
        if not MONTH.match(month.strip()):
            raise CommandError(f"{month} is not a month: write it as YYYY-MM, for example 2025-04.")
        try:
            return ExportSpec.monthly(parse_period(month))
        except PeriodError as error:
            raise CommandError(str(error)) from None
