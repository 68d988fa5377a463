"""Stored figures: one row per KPI, period and scope, whatever the number of times it is computed."""

from datetime import datetime

from django.utils import timezone

from reporting.kpis.catalogue import catalogue
from reporting.kpis.engine import KpiResult, result_for, team_id
from reporting.models import Kpi, KpiSnapshot
from reporting.periods import Period


def store(period: Period, results: dict[str, KpiResult], *, team=None, job: str = "") -> list[KpiSnapshot]:
    """Insert or update the snapshot of each result (one statement: ON CONFLICT on KPI, period and team).
    `team` is a Team, its id, or None for the whole service, as for `compute`."""
    kpis = dict(Kpi.objects.filter(code__in=results).values_list("code", "pk"))
    now = timezone.now()
    rows = [
        KpiSnapshot(
            kpi_id=kpis[code],
            period_label=period.label,
            period_start=period.start,
            period_end=period.end,
            team_id=team_id(team),
            numerator=result.numerator,
            denominator=result.denominator,
            value=result.value,
            met=result.met,
            threshold=result.threshold,
            computed_at=now,
            job=job,
        )
        for code, result in results.items()
    ]
    return KpiSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kpi", "period_label", "team"],
        update_fields=[
            "period_start",
            "period_end",
            "numerator",
            "denominator",
            "value",
            "met",
            "threshold",
            "computed_at",
            "job",
        ],
    )


def stored(period: Period, *, team=None) -> tuple[dict[str, KpiResult], datetime] | None:
    """The period's stored figures for the scope, judged against today's catalogue, with the time the oldest was
    worked out; None unless every KPI of the catalogue has one (a page then works them out itself)."""
    kpis = catalogue()
    rows = {row.kpi_id: row for row in KpiSnapshot.objects.filter(period_label=period.label, team_id=team_id(team))}
    if not kpis or any(kpi.pk not in rows for kpi in kpis):
        return None
    results = {kpi.code: result_for(kpi, rows[kpi.pk].numerator, rows[kpi.pk].denominator) for kpi in kpis}
    return results, min(row.computed_at for row in rows.values())
