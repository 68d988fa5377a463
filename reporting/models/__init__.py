from reporting.models.kpis import Kpi, KpiRecomputation, KpiSnapshot
from reporting.models.returns_export import MonthlyReturnCheck, ReturnExport
from reporting.models.returns_import import TransferImport

__all__ = ["Kpi", "KpiRecomputation", "KpiSnapshot", "MonthlyReturnCheck", "ReturnExport", "TransferImport"]
