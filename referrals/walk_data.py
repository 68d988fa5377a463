"""The route walk's records (core.route_walk): a person, referral, episode and allocation with the walk's fixed
primary key. In scope, the walk's referrer made the referral and its keyworker holds the allocation."""

from datetime import date

from core.choices import Role
from referrals.choices import OrderKind, TaskKind
from referrals.factories import AllocationFactory, EpisodeFactory, PersonFactory, ReferralFactory
from referrals.models import BreachReport, Carer, CommunityOrder, Task, TeamInvolvement


def records(*, pk: int, team, users: dict, in_scope: bool) -> dict:
    """The person the walk looks for on every page, and the words of their treatment detail (a court order,
    a breach report, a carer, a MARAC task) that a referrer or a harm reduction worker must never read."""
    person = PersonFactory(
        pk=pk,
        given_name=f"Walkgiven{pk}",
        family_name=f"Walkfamily{pk}",
        date_of_birth=date(1970, 3, 4 if in_scope else 5),
        nhs_number="9434765919" if in_scope else "9434765870",
        address=f"{pk} Walk Street",
        postcode="ZZ9 9ZZ" if in_scope else "ZZ8 8ZZ",
        client_id=f"WALK{pk}",
    )
    referral = ReferralFactory(pk=pk, person=person, team=team, created_by=users[Role.REFERRER] if in_scope else None)
    episode = EpisodeFactory(pk=pk, referral=referral)
    allocation_kwargs = {"keyworker": users[Role.KEYWORKER]} if in_scope else {}
    AllocationFactory(pk=pk, episode=episode, team=team, **allocation_kwargs)
    TeamInvolvement.objects.get_or_create(person=person, team=team)
    order = CommunityOrder.objects.create(
        pk=pk,
        person=person,
        episode=episode,
        kind=OrderKind.choices[0][0],
        order_date=date(2025, 1, 6),
        requirement_months=6,
        court=f"Walkcourt{pk}",
        offender_manager=f"Walkofficer{pk}",
    )
    BreachReport.objects.create(pk=pk, order=order, missed_appointment_on=date(2025, 2, 3), due_on=date(2025, 2, 10))
    carer = Carer.objects.create(
        pk=pk,
        person=person,
        name=f"Walkcarer{pk}",
        relationship="Sister",
        support_started_on=date(2025, 1, 6),
        support_planned_end=date(2026, 1, 6),
    )
    task = Task.objects.create(
        pk=pk,
        person=person,
        episode=episode,
        kind=TaskKind.MARAC_REFERRAL,
        title=f"Walktask MARAC referral {pk}",
        assigned_to=users[Role.KEYWORKER] if in_scope else None,
        source_key=f"walk-{pk}",
    )
    return {"person": person, "treatment_detail": [order.court, order.offender_manager, carer.name, task.title]}
