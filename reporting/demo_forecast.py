"""Demo data for the breach forecast: the demo keyworker's caseload gets one record at risk of each of three
clock KPIs (W21, RAP3, SIR0), dated from the demo's today, so "At risk" has something to act on for the
keyworker and for the manager. Written after the other apps' demo data, on episodes they created."""

from datetime import timedelta

from core.models import ModalitySetting
from recovery_plans.models import Intervention, Modality
from referrals.models import Episode


def seed(context):
    today, keyworker = context.today, context.staff["keyworker"]
    caseload = Episode.objects.filter(
        discharged_on__isnull=True, allocations__keyworker=keyworker, allocations__ended_on__isnull=True
    ).order_by("pk")
    nothing_started = list(
        caseload.exclude(modalities__started_on__isnull=False)
        .exclude(recovery_plan__versions__signed_on__isnull=False)
        .filter(opened_on__lte=today - timedelta(days=25))[:2]
    )
    long_running = (
        caseload.filter(opened_on__lte=today - timedelta(days=180))
        .exclude(pk__in=[e.pk for e in nothing_started])
        .first()
    )
    intervention = Intervention.objects.get(code="CBT")
    setting = ModalitySetting.objects.get(code="6")

    def modality(episode, referred_days_ago, started_days_ago=None):
        return Modality(
            episode=episode,
            modality_type=intervention.modality_type,
            setting=setting,
            intervention=intervention,
            referred_on=today - timedelta(days=referred_days_ago),
            started_on=today - timedelta(days=started_days_ago) if started_days_ago is not None else None,
            referred_by=context.staff["assessor.arm"],
        )

    rows = []
    if nothing_started:
        # W21: day 16 of the wait, so it must start within 5 days.
        rows.append(modality(nothing_started[0], 16))
    if len(nothing_started) > 1:
        # RAP3: treatment started 17 days ago and no plan is signed: due in 4 days.
        rows.append(modality(nothing_started[1], 25, 17))
    if long_running is not None:
        # SIR0: running for 178 days without a sub-intervention review: due in 4 days.
        rows.append(modality(long_running, 180, 178))
    Modality.objects.bulk_create(rows)
