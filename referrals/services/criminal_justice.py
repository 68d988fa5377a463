"""Criminal justice: community orders (DRR, ATR), arrest referrals and breach reports."""

from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core import audit
from core.calendar import add_working_days
from core.choices import AuditAction
from core.dates import long_date
from core.errors import DomainError
from core.models import User
from referrals import clock_inputs
from referrals.choices import TaskKind
from referrals.models import Allocation, ArrestReferral, BreachReport, CommunityOrder, Episode, Person, Task
from referrals.services.people import refuse_if_merged

REQUIREMENT_MONTHS = (1, 36)
ASSESSMENT_HOURS = 24
ASSESSMENT_HOURS_OTHER_AREA = 48
BREACH_WORKING_DAYS = 5


@transaction.atomic
def add_community_order(
    *,
    person: Person,
    kind: str,
    order_date: date,
    requirement_months: int,
    by: User,
    episode: Episode | None = None,
    court: str = "",
    offender_manager: str = "",
) -> CommunityOrder:
    refuse_if_merged(person)
    low, high = REQUIREMENT_MONTHS
    if not low <= requirement_months <= high:
        raise DomainError(f"The requirement length must be from {low} to {high} months.", field="requirement_months")
    if order_date > timezone.localdate():
        raise DomainError("The order date cannot be in the future.", field="order_date")
    if episode is not None and episode.person_id != person.pk:
        raise DomainError("That episode belongs to someone else.", field="episode")
    order = CommunityOrder.objects.create(
        person=person,
        episode=episode,
        kind=kind,
        order_date=order_date,
        requirement_months=requirement_months,
        court=court,
        offender_manager=offender_manager,
    )
    clock_inputs.changed([person.pk])  # a DRR order clocks one of the person's prescribing modalities
    audit.record(AuditAction.CREATE, order, actor=by, details={"kind": kind})
    return order


def assessment_due_at(tested_at: datetime, *, from_other_area: bool) -> datetime:
    """24 (or 48) elapsed hours after the test, across a clock change.

    Python adds a timedelta to a Europe/London time on the wall clock (10:00 GMT + 24 hours is 10:00 BST,
    only 23 hours later), so the sum is made in UTC and shown back in local time.
    """
    if timezone.is_naive(tested_at):
        tested_at = timezone.make_aware(tested_at)
    hours = ASSESSMENT_HOURS_OTHER_AREA if from_other_area else ASSESSMENT_HOURS
    return timezone.localtime(tested_at.astimezone(UTC) + timedelta(hours=hours))


@transaction.atomic
def add_arrest_referral(
    *,
    person: Person,
    tested_at: datetime,
    trigger_offence: str,
    by: User,
    from_other_area: bool = False,
) -> ArrestReferral:
    refuse_if_merged(person)
    if tested_at > timezone.now():
        raise DomainError("The test time cannot be in the future.", field="tested_at")
    if not trigger_offence.strip():
        raise DomainError("Enter the trigger offence.", field="trigger_offence")
    referral = ArrestReferral.objects.create(
        person=person,
        tested_at=tested_at,
        trigger_offence=trigger_offence.strip(),
        from_other_area=from_other_area,
        assessment_due_at=assessment_due_at(tested_at, from_other_area=from_other_area),
    )
    audit.record(AuditAction.CREATE, referral, actor=by)
    return referral


@transaction.atomic
def record_arrest_assessment(
    *, referral: ArrestReferral, assessed_at: datetime, by: User, in_custody: bool = False
) -> ArrestReferral:
    referral = ArrestReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.assessed_at is not None:
        raise DomainError("This arrest referral has already been assessed.", field="assessed_at")
    if assessed_at < referral.tested_at:
        raise DomainError("The assessment cannot be before the test.", field="assessed_at")
    if assessed_at > timezone.now():
        raise DomainError("The assessment time cannot be in the future.", field="assessed_at")
    referral.assessed_at = assessed_at
    referral.assessed_in_custody = in_custody
    referral.save(update_fields=["assessed_at", "assessed_in_custody"])
    audit.record(AuditAction.CHANGE, referral, actor=by, details={"assessed_at": assessed_at.isoformat()})
    return referral


def arrest_assessment_status(referral: ArrestReferral, *, now: datetime | None = None) -> str:
    if referral.assessed_at is not None:
        return "assessed late" if referral.assessed_at > referral.assessment_due_at else "assessed"
    return "overdue" if (now or timezone.now()) > referral.assessment_due_at else "due"


@transaction.atomic
def add_breach_report(*, order: CommunityOrder, missed_appointment_on: date, by: User) -> BreachReport:
    """Due within 5 working days of the missed appointment; the keyworker gets a task for it."""
    if missed_appointment_on > timezone.localdate():
        raise DomainError("The missed appointment cannot be in the future.", field="missed_appointment_on")
    if missed_appointment_on < order.order_date:
        raise DomainError("The missed appointment cannot be before the order was made.", field="missed_appointment_on")
    breach = BreachReport.objects.create(
        order=order,
        missed_appointment_on=missed_appointment_on,
        due_on=add_working_days(missed_appointment_on, BREACH_WORKING_DAYS),
    )
    allocation = (
        Allocation.objects.filter(episode__person_id=order.person_id, ended_on__isnull=True)
        .order_by("-allocated_on")
        .first()
    )
    Task.objects.create(
        person_id=order.person_id,
        episode_id=allocation.episode_id if allocation else order.episode_id,
        kind=TaskKind.BREACH_REPORT,
        title=f"Report {order.kind} breach (missed {long_date(missed_appointment_on)})",
        assigned_to_id=allocation.keyworker_id if allocation else None,
        team_id=allocation.team_id if allocation else None,
        due_on=breach.due_on,
        source_key=f"breach_report:{breach.pk}",
    )
    audit.record(AuditAction.CREATE, breach, actor=by, details={"due_on": breach.due_on.isoformat()})
    return breach


@transaction.atomic
def mark_breach_reported(*, breach: BreachReport, reported_on: date, by: User) -> BreachReport:
    breach = BreachReport.objects.select_for_update().get(pk=breach.pk)
    if breach.reported_on is not None:
        raise DomainError("This breach has already been reported.", field="reported_on")
    if reported_on < breach.missed_appointment_on:
        raise DomainError("The report date cannot be before the missed appointment.", field="reported_on")
    if reported_on > timezone.localdate():
        raise DomainError("The report date cannot be in the future.", field="reported_on")
    breach.reported_on = reported_on
    breach.save(update_fields=["reported_on"])
    Task.objects.filter(source_key=f"breach_report:{breach.pk}", done_on__isnull=True).update(
        done_on=reported_on, done_by=by
    )
    audit.record(AuditAction.CHANGE, breach, actor=by, details={"reported_on": reported_on.isoformat()})
    return breach
