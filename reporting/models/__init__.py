from reporting.models.kpis import Kpi, KpiRecomputation, KpiSnapshot

__all__ = ["Kpi", "KpiRecomputation", "KpiSnapshot"]
