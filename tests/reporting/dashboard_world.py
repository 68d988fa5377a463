"""Stored figures for dashboard tests: snapshots written directly, as the engine would have stored them."""

from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from reporting.models import Kpi, KpiSnapshot
from reporting.periods import Period, last_quarters, parse_period

QUARTER = parse_period("FY2025Q2")  # July to September 2025
# Every table of a model holding, or pointing at, a person's record: the commissioner's pages must read none.
IDENTIFIABLE_APPS = ("referrals", "assessment", "recovery_plans", "prescribing", "harm_reduction")


def identifiable_tables() -> set[str]:
    tables = set()
    for label in IDENTIFIABLE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return tables


def read_identifiable(queries) -> list[str]:
    tables = identifiable_tables()
    return [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in tables)]


def figure_for(kpi: Kpi, index: int) -> tuple[int, int]:
    """A numerator and denominator that give every status across the catalogue without small numbers."""
    if kpi.kind == "count":
        return (0, 40) if index % 2 else (12, 40)
    return [(100, 100), (92, 100), (60, 100)][index % 3]


def store(quarters: list[Period], *, teams=(), figures=figure_for) -> None:
    rows = []
    now = timezone.now()
    for kpi_index, kpi in enumerate(Kpi.objects.all()):
        for quarter_index, quarter in enumerate(quarters):
            for team in (None, *teams):
                numerator, denominator = figures(kpi, kpi_index + quarter_index)
                if kpi.kind == "count":
                    value = Decimal(numerator)
                else:
                    value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))
                met = {
                    ">=": value >= kpi.threshold,
                    "<=": value <= kpi.threshold,
                    "=": value == kpi.threshold,
                }[kpi.comparison]
                rows.append(
                    KpiSnapshot(
                        kpi=kpi,
                        period_label=quarter.label,
                        period_start=quarter.start,
                        period_end=quarter.end,
                        team=team,
                        numerator=numerator,
                        denominator=denominator,
                        value=value,
                        met=met,
                        threshold=kpi.threshold_text,
                        computed_at=now,
                        job="test",
                    )
                )
    KpiSnapshot.objects.bulk_create(rows)


def eight_quarters() -> list[Period]:
    return last_quarters(8, ending=QUARTER)
