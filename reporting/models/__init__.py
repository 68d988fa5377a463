from reporting.models.comparators import KpiComparator
from reporting.models.dashboard import MiSnapshot, QuarterlyReport, ServiceFeedback
from reporting.models.kpis import Kpi, KpiRecomputation, KpiSnapshot
from reporting.models.returns_export import MonthlyReturnCheck, ReturnExport
from reporting.models.returns_import import TransferImport

__all__ = [
    "Kpi",
    "KpiComparator",
    "KpiRecomputation",
    "KpiSnapshot",
    "MiSnapshot",
    "MonthlyReturnCheck",
    "QuarterlyReport",
    "ReturnExport",
    "ServiceFeedback",
    "TransferImport",
]
