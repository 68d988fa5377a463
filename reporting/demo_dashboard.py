"""Demo data for the commissioner's dashboard: real KPI snapshots and management information computed from the
other apps' demo records for the last nine quarters (eight of trend behind the last one that ended, and the current
one), published comparators for each, and service user feedback."""

from datetime import timedelta
from decimal import Decimal

from core.choices import TeamKind
from reporting.dashboard import mi
from reporting.kpis import engine, snapshots
from reporting.models import Kpi, KpiComparator, ServiceFeedback
from reporting.periods import last_quarters, quarter_containing

QUARTERS = 9
FEEDBACK_PER_QUARTER = 24
COMMENTS = ["", "", "Staff were kind", "Waited too long for a call back", "The group helped", "Easy to get to"]


def seed(context):
    rng, today = context.rng, context.today
    quarters = last_quarters(QUARTERS, ending=quarter_containing(today))
    teams = [team for team in context.teams.values() if team.kind in (TeamKind.ARM, TeamKind.ESAP)]
    recorder = context.staff["keyworker"]
    feedback = []
    for quarter in quarters:
        for _ in range(FEEDBACK_PER_QUARTER):
            day = quarter.start + timedelta(days=rng.randrange(quarter.days))
            if day > today:
                continue
            feedback.append(
                ServiceFeedback(
                    received_on=day,
                    team=rng.choice(teams),
                    rating=rng.choices([5, 4, 3, 2, 1], weights=[40, 30, 15, 10, 5])[0],
                    comment=rng.choice(COMMENTS),
                    recorded_by=recorder,
                )
            )
    ServiceFeedback.objects.bulk_create(feedback)
    for quarter in quarters:
        for team in (None, *teams):
            snapshots.store(quarter, engine.compute(quarter, team=team), team=team, job="demo data")
        mi.mi_store_all(period=quarter)
    comparators = []
    for kpi in Kpi.objects.all():
        for quarter in quarters[:-1]:  # the current quarter's figures are not published yet
            comparators.append(
                KpiComparator(
                    kpi=kpi,
                    period_label=quarter.label,
                    national_value=_near(kpi, rng),
                    similar_areas_value=_near(kpi, rng),
                    source="Illustrative figures for the demo (not OHID's)",
                )
            )
    KpiComparator.objects.bulk_create(comparators)


def _near(kpi, rng) -> Decimal:
    """A plausible published figure around the threshold."""
    if kpi.kind == "count":
        return Decimal(rng.randint(0, 6))
    value = kpi.threshold + Decimal(rng.randint(-120, 40)) / Decimal(1000)
    return min(max(value, Decimal(0)), Decimal(1)).quantize(Decimal("0.0001"))
