"""The dashboard's reads: stored snapshots and reference rows only, a fixed number of queries, no identifiable
table (tests/reporting/test_dashboard_pages.py captures every query and checks both)."""

from dataclasses import dataclass

from django.utils import timezone

from core.choices import TeamKind
from core.models import Team
from reporting.dashboard import presenters, rag
from reporting.models import Kpi, KpiComparator, KpiSnapshot, MiSnapshot
from reporting.periods import Period, last_quarters, quarter_containing

TREND_QUARTERS = 8
CHOOSABLE_QUARTERS = 12


def scope_teams() -> list[Team]:
    """The teams KPIs are computed for (domain.md 6b: the ARM or ESAP team that opened the episode)."""
    return list(Team.objects.filter(kind__in=(TeamKind.ARM, TeamKind.ESAP), active=True).order_by("name"))


def default_quarter() -> Period:
    """The last quarter that has ended: the one the contract review meeting discusses."""
    return quarter_containing(timezone.localdate()).previous()


def choosable_quarters() -> list[Period]:
    """The current quarter and the eleven before it, newest first."""
    return last_quarters(CHOOSABLE_QUARTERS, ending=quarter_containing(timezone.localdate()))[::-1]


def quarter_words(period: Period) -> str:
    """`FY2025Q1` -> "Q1 2025/26 (April to June 2025)"."""
    year, quarter = int(period.label[2:6]), period.label[7]
    months = f"{period.start:%B} to {period.end:%B %Y}"
    return f"Q{quarter} {year}/{(year + 1) % 100:02d} ({months})"


def definitions(kpis) -> list[presenters.KpiDefinition]:
    return [
        presenters.KpiDefinition(
            code=kpi.code,
            title=kpi.title,
            kind=kpi.kind,
            threshold=rag.Threshold(kpi.comparison, kpi.threshold),
            higher_is_better=kpi.direction == "higher",
        )
        for kpi in kpis
    ]


@dataclass
class Dashboard:
    period: Period
    team: Team | None
    teams: list[Team]
    quarters: list[Period]
    rows: list[presenters.KpiRow]
    computed: bool
    computed_at: object
    mi: list | None

    @property
    def scope_name(self) -> str:
        return self.team.name if self.team else "Whole service"

    @property
    def quarter_words(self) -> str:
        return quarter_words(self.period)

    @property
    def tally(self):
        return presenters.tally(self.rows)

    @property
    def missed(self) -> list[presenters.KpiRow]:
        return [row for row in self.rows if row.status.missed]


def dashboard(*, period: Period, team: Team | None, teams: list[Team] | None = None, charts: bool = True) -> Dashboard:
    teams = scope_teams() if teams is None else teams
    quarters = last_quarters(TREND_QUARTERS, ending=period)
    kpis = list(Kpi.objects.order_by("sort_order", "code"))
    code_of = {kpi.pk: kpi.code for kpi in kpis}
    figures, computed_at = {}, None
    for kpi_id, label, team_id, numerator, denominator, value, met, at in KpiSnapshot.objects.filter(
        period_label__in=[q.label for q in quarters]
    ).values_list("kpi_id", "period_label", "team_id", "numerator", "denominator", "value", "met", "computed_at"):
        figures[code_of[kpi_id], label, team_id] = presenters.Figure(numerator, denominator, value, met)
        if label == period.label and team_id == (team.pk if team else None):
            computed_at = max(computed_at or at, at)
    comparators = {
        code_of[kpi_id]: presenters.Comparators(national, similar, source)
        for kpi_id, national, similar, source in KpiComparator.objects.filter(period_label=period.label).values_list(
            "kpi_id", "national_value", "similar_areas_value", "source"
        )
    }
    rows = presenters.kpi_rows(
        definitions=definitions(kpis),
        figures=presenters.Figures(figures, [t.pk for t in teams]),
        quarters=quarters,
        team_id=team.pk if team else None,
        comparators=comparators,
        charts_wanted=charts,
    )
    mi_tables = {s.team_id: s.tables for s in MiSnapshot.objects.filter(period_label=period.label)}
    mi = None
    this = mi_tables.get(team.pk if team else None)
    if this is not None:
        by_code = {row.code: row for row in rows}
        team_tables = {t: tables for t, tables in mi_tables.items() if t is not None} if team else None
        mi = presenters.mi_sections(this, team_tables=team_tables, kpis=by_code)
    return Dashboard(
        period=period,
        team=team,
        teams=teams,
        quarters=quarters,
        rows=rows,
        computed=computed_at is not None,
        computed_at=computed_at,
        mi=mi,
    )
