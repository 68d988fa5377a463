from reporting.models.kpis import Kpi, KpiRecomputation, KpiSnapshot
from reporting.models.returns_export import MonthlyReturnCheck, ReturnExport

__all__ = ["Kpi", "KpiRecomputation", "KpiSnapshot", "MonthlyReturnCheck", "ReturnExport"]
