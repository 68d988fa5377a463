"""Reads for the return pages and API, each a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from reporting.choices import ExportKind
from reporting.models import MonthlyReturnCheck, ReturnExport
from reporting.periods import Period
from reporting.returns.services import export_months

RECENT_TRANSFERS = 5


@dataclass
class MonthRow:
    month: Period
    check: MonthlyReturnCheck | None
    latest: ReturnExport | None
    sent: ReturnExport | None

    @property
    def ready(self) -> bool:
        return self.check is not None and self.check.problem_count == 0

    @property
    def changed_since_sent(self) -> bool | None:
        """None when never sent or not checked since; else whether the return written now differs."""
        if self.sent is None or self.check is None:
            return None
        return self.check.checksum != self.sent.checksum


def month_rows(today: date) -> list[MonthRow]:
    """Each of the last twelve finished months: its check, its latest export and the export sent. Three queries."""
    months = export_months(today)
    labels = [month.label for month in months]
    checks = {check.period: check for check in MonthlyReturnCheck.objects.filter(period__in=labels)}
    monthly = ReturnExport.objects.filter(kind=ExportKind.MONTHLY, period__in=labels)
    latest = {export.period: export for export in monthly.order_by("period", "-requested_at", "-id").distinct("period")}
    sent = {
        export.period: export
        for export in monthly.filter(sent_at__isnull=False)
        .select_related("sent_by")
        .order_by("period", "-sent_at", "-id")
        .distinct("period")
    }
    return [
        MonthRow(month, checks.get(month.label), latest.get(month.label), sent.get(month.label)) for month in months
    ]


def recent_transfer_exports():
    return list(ReturnExport.objects.filter(kind=ExportKind.TRANSFER).select_related("requested_by")[:RECENT_TRANSFERS])
