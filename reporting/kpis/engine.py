"""One engine for every KPI figure: the command, the Celery jobs, the dashboard and the API all call `compute`,
and the drill-down lists `population_rows`, so a figure and its failing rows share one definition.

Each KPI is one aggregate query over its population (`reporting.kpis.populations`); a rate's value is rounded to
4 places, while whether it meets its threshold is decided on the exact fraction.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connections, transaction
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Sum, Value, When

from core.models import Team
from reporting.choices import Comparison, KpiKind
from reporting.kpis.catalogue import catalogue
from reporting.kpis.populations import DQ_ITEMS, INDEX_PROBED, POPULATIONS, SHARED_POPULATIONS, flag
from reporting.models import Kpi
from reporting.periods import Period

FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class KpiResult:
    code: str
    title: str
    numerator: int
    denominator: int
    value: Decimal | None
    threshold: str
    met: bool | None
    kind: str
    direction: str


def team_id(team) -> int | None:
    """A scope given as a Team, its id or None (the whole service), as an id."""
    if team is None:
        return None
    return team.pk if isinstance(team, Team) else int(team)


def population_rows(code: str, period: Period, *, team=None) -> QuerySet:
    """The KPI's population for the period and scope: episodes, referrals (FC3) or modalities (RX10, DRR5, SIR0),
    annotated with `passes` (meets the numerator's condition; False for a count KPI's counted failures), `fails`
    (the row counts against the KPI: not passing, or for HBR, where lower is better, refused) and the `kpi_*`
    dates the KPI read. Not scoped to a user: callers showing rows to a person scope them first."""
    try:
        population = POPULATIONS[code]
    except KeyError:
        raise KeyError(f"{code} is not a KPI of the catalogue.") from None
    rows = population(period, team_id(team))
    fails = Q(passes=True) if code in COUNTED_WHEN_PASSING else Q(passes=False)
    return rows.annotate(fails=Case(When(fails, then=Value(True)), default=Value(False), output_field=BooleanField()))


# Rates where the numerator is the bad outcome (domain.md 5: HBR, at most 10% refused).
COUNTED_WHEN_PASSING = frozenset({"HBR"})


def _counted(kpi: Kpi, passes: str) -> Q:
    """The rows a rate or count KPI counts, given the name of its `passes` column."""
    return Q(**{passes: kpi.kind != KpiKind.COUNT})


# Index probes of a database held in memory cost about what reading the next page does (PostgreSQL's default
# random_page_cost, 4, prices a disk): only for the populations in `INDEX_PROBED` over the whole service, since
# other KPIs planned this way ran slower and a team's ran the same (docs/benchmarks.md, "W21 against its floor").
IN_MEMORY_RANDOM_PAGE_COST = "1.1"


@contextmanager
def _planned(rows: QuerySet, population, team):
    """Runs `rows`' queries planned for index probes when `population` is one of `INDEX_PROBED` and `team` is None;
    the setting is the transaction's own (a savepoint inside another) and is put back after, so no other query
    sees it."""
    if team is not None or population not in INDEX_PROBED:
        yield
        return
    with transaction.atomic(using=rows.db), connections[rows.db].cursor() as cursor:
        cursor.execute("SELECT current_setting('random_page_cost')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('random_page_cost', %s, true)", [IN_MEMORY_RANDOM_PAGE_COST])
        yield
        cursor.execute("SELECT set_config('random_page_cost', %s, true)", [previous])


def _figures(kpi: Kpi, period: Period, team) -> tuple[int, int]:
    rows = population_rows(kpi.code, period, team=team)
    with _planned(rows, POPULATIONS[kpi.code], team):
        if kpi.kind == KpiKind.MEAN:
            totals = rows.aggregate(rows=Count("pk"), filled=Sum("kpi_filled_items"))
            return totals["filled"] or 0, totals["rows"] * len(DQ_ITEMS)
        totals = rows.aggregate(rows=Count("pk"), counted=Count("pk", filter=_counted(kpi, "passes")))
    return totals["counted"], totals["rows"]


def _shared_figures(kpis: list[Kpi], population, passes: dict, period: Period, team) -> dict[str, tuple[int, int]]:
    """Figures of several KPIs of one population from one query: each KPI's `passes` as its own column."""
    rows = population(period, team_id(team)).annotate(
        **{f"passes_{index}": flag(passes[kpi.code]) for index, kpi in enumerate(kpis)}
    )
    with _planned(rows, population, team):
        totals = rows.aggregate(
            rows=Count("pk"),
            **{
                f"counted_{index}": Count("pk", filter=_counted(kpi, f"passes_{index}"))
                for index, kpi in enumerate(kpis)
            },
        )
    return {kpi.code: (totals[f"counted_{index}"], totals["rows"]) for index, kpi in enumerate(kpis)}


def _meets(kpi: Kpi, figure: Fraction) -> bool:
    threshold = Fraction(kpi.threshold)
    if kpi.comparison == Comparison.AT_LEAST:
        return figure >= threshold
    if kpi.comparison == Comparison.AT_MOST:
        return figure <= threshold
    return figure == threshold


def result_for(kpi: Kpi, numerator: int, denominator: int) -> KpiResult:
    if kpi.kind == KpiKind.COUNT:
        value, met = Decimal(numerator), _meets(kpi, Fraction(numerator))
    elif denominator == 0:
        value, met = None, None
    else:
        value = (Decimal(numerator) / Decimal(denominator)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
        met = _meets(kpi, Fraction(numerator, denominator))
    return KpiResult(
        code=kpi.code,
        title=kpi.title,
        numerator=numerator,
        denominator=denominator,
        value=value,
        threshold=kpi.threshold_text,
        met=met,
        kind=kpi.kind,
        direction=kpi.direction,
    )


def compute(period: Period, *, team=None, codes=None) -> dict[str, KpiResult]:
    """Every KPI of the catalogue for the period, whole service (`team` None) or one team, in catalogue order
    (only `codes`, when given)."""
    kpis = [kpi for kpi in catalogue() if codes is None or kpi.code in codes]
    figures = {}
    for population, passes in SHARED_POPULATIONS:
        shared = [kpi for kpi in kpis if kpi.code in passes]
        if len(shared) > 1:
            figures.update(_shared_figures(shared, population, passes, period, team))
    for kpi in kpis:
        if kpi.code not in figures:
            figures[kpi.code] = _figures(kpi, period, team)
    return {kpi.code: result_for(kpi, *figures[kpi.code]) for kpi in kpis}
