"""Demo allocations, caseloads, criminal justice work, carers and discharged episodes.

Runs after intake's demo, on its open episodes: `keyworker` holds about 25 people with some overdue work,
a few episodes stay unallocated for the allocation board, and some are discharged with each outcome.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from core.bulk import copy_insert
from core.calendar import add_working_days
from core.choices import DischargeOutcome, TeamKind
from core.dates import long_date
from core.models import DischargeReason
from referrals.choices import FollowUpKind, OrderKind, PartnerAgency, TaskKind
from referrals.models import (
    Allocation,
    ArrestReferral,
    BreachReport,
    Carer,
    CommunityOrder,
    Episode,
    FollowUp,
    PartnerInvolvement,
    ReengagementEntry,
    Task,
    TeamInvolvement,
)
from referrals.services.episodes import add_months, two_years_after

BATCH = 2000
MAIN_KEYWORKER_PEOPLE = 25
UNALLOCATED = 6
DISCHARGE_EVERY = 7
REASON_CODES = ("80", "85", "83")  # one of each outcome: successful, unsuccessful, neutral


def _delivery_teams(context, workers) -> dict[int, object]:
    """Each keyworker's delivery team, read once per keyworker rather than once per episode."""
    teams = {}
    for user in workers:
        delivery = [t for t in user.teams.all() if t.kind == TeamKind.DELIVERY]
        teams[user.pk] = delivery[0] if delivery else context.teams["Delivery North"]
    return teams


def seed(context):
    rng, today, staff = context.rng, context.today, context.staff
    manager = staff["manager"]
    main, others = staff["keyworker"], [staff["keyworker.m"], staff["keyworker.south"]]
    assessors = {TeamKind.ARM: staff["assessor.arm"], TeamKind.ESAP: staff["assessor.esap"]}
    reasons = {r.code: r for r in DischargeReason.objects.filter(code__in=REASON_CODES)}
    open_episodes = list(Episode.objects.open().select_related("team", "person").order_by("pk"))
    to_allocate = open_episodes[: max(len(open_episodes) - UNALLOCATED, 0)]
    delivery_team = _delivery_teams(context, [main, *others, staff["keyworker.esap"]])

    allocations, involvements, partners, orders, arrests, carers, tasks = [], [], [], [], [], [], []
    discharged, follow_ups, reengagement = [], [], []
    main_count = 0
    for index, episode in enumerate(to_allocate):
        if episode.team.kind == TeamKind.ESAP:
            worker = staff["keyworker.esap"]
        elif main_count < MAIN_KEYWORKER_PEOPLE:
            worker, main_count = main, main_count + 1
        else:
            worker = others[index % len(others)]
        team = delivery_team[worker.pk]
        allocated_on = min(episode.opened_on + timedelta(days=rng.randint(0, 10)), today)
        allocated_on = max(allocated_on, episode.opened_on)
        allocation = Allocation(
            episode=episode,
            assessor=assessors.get(episode.team.kind, staff["assessor.arm"]),
            keyworker=worker,
            team=team,
            allocated_on=allocated_on,
            allocated_by=manager,
        )
        allocations.append(allocation)
        involvements.append(TeamInvolvement(person=episode.person, team=team, since=allocated_on, reason="allocation"))
        if rng.random() < 0.7:
            partners.append(
                PartnerInvolvement(
                    episode=episode,
                    agency=rng.choice(PartnerAgency.values),
                    started_on=allocated_on,
                    recorded_on=allocated_on,
                    recorded_by=worker,
                )
            )
        if worker == main and index % 4 == 0:
            tasks.append(
                Task(
                    person=episode.person,
                    episode=episode,
                    kind=TaskKind.OTHER,
                    title="Ring the GP about the prescription review",
                    assigned_to=worker,
                    team=team,
                    due_on=today - timedelta(days=rng.randint(1, 10)),
                    source_key=f"demo:episodes:task:{episode.pk}",
                )
            )
        if index % 10 == 3:
            order = CommunityOrder(
                person=episode.person,
                episode=episode,
                kind=rng.choice(OrderKind.values),
                order_date=episode.opened_on,
                requirement_months=rng.choice((6, 12, 18, 24)),
                court="Southampton Magistrates' Court",
            )
            orders.append((order, worker, team))
        if index % 12 == 5:
            tested = timezone.make_aware(datetime.combine(today, time(9, 0))) - timedelta(hours=rng.choice((6, 30, 60)))
            arrests.append(
                ArrestReferral(
                    person=episode.person,
                    tested_at=tested,
                    trigger_offence=rng.choice(("Theft from a shop", "Burglary", "Possession of class A")),
                    from_other_area=index % 24 == 5,
                    assessment_due_at=tested + timedelta(hours=48 if index % 24 == 5 else 24),
                )
            )
        if index % 9 == 2:
            start = max(episode.opened_on, today - timedelta(days=200))
            carers.append(
                Carer(
                    person=episode.person,
                    name=context.faker.name(),
                    relationship=rng.choice(("Mother", "Partner", "Sister", "Friend")),
                    support_started_on=start,
                    support_planned_end=two_years_after(start),
                )
            )
        if worker != main and index % DISCHARGE_EVERY == 0 and episode.opened_on < today:
            reason = reasons[REASON_CODES[(index // DISCHARGE_EVERY) % len(REASON_CODES)]]
            on = max(episode.opened_on, today - timedelta(days=rng.randint(1, 60)))
            episode.discharged_on, episode.discharge_reason, episode.discharged_by = on, reason, worker
            allocation.ended_on = max(on, allocation.allocated_on)
            discharged.append(episode)
            if reason.outcome == DischargeOutcome.SUCCESSFUL:
                # Owned as the discharge service owns them: the Follow-ups list of keyworker.m and the manager.
                owner = {"keyworker": worker, "team": team}
                follow_ups += [
                    FollowUp(episode=episode, kind=FollowUpKind.SIX_MONTHS, due_on=add_months(on, 6), **owner),
                    FollowUp(episode=episode, kind=FollowUpKind.TWELVE_MONTHS, due_on=add_months(on, 12), **owner),
                ]
            elif reason.outcome == DischargeOutcome.UNSUCCESSFUL:
                reengagement.append(ReengagementEntry(person=episode.person, episode=episode, added_on=on))

    for allocation in allocations:
        if allocation.ended_on is not None and allocation.ended_on < allocation.allocated_on:
            allocation.ended_on = allocation.allocated_on
    copy_insert(allocations)
    TeamInvolvement.objects.bulk_create(involvements, batch_size=BATCH, ignore_conflicts=True)
    for rows in (partners, arrests, carers, [order for order, _, _ in orders]):
        copy_insert(rows)
    breaches = []
    for number, (order, worker, team) in enumerate(orders):
        if number % 2:
            continue
        missed = max(order.order_date, today - timedelta(days=rng.randint(1, 9)))
        breaches.append(
            (BreachReport(order=order, missed_appointment_on=missed, due_on=add_working_days(missed, 5)), worker, team)
        )
    copy_insert([b for b, _, _ in breaches])
    for breach, worker, team in breaches:
        tasks.append(
            Task(
                person_id=breach.order.person_id,
                episode_id=breach.order.episode_id,
                kind=TaskKind.BREACH_REPORT,
                title=f"Report {breach.order.kind} breach (missed {long_date(breach.missed_appointment_on)})",
                assigned_to=worker,
                team=team,
                due_on=breach.due_on,
                source_key=f"breach_report:{breach.pk}",
            )
        )
    copy_insert(tasks)
    Episode.objects.bulk_update(discharged, ["discharged_on", "discharge_reason", "discharged_by"], batch_size=BATCH)
    copy_insert(follow_ups)
    copy_insert(reengagement)
