"""The prescribing waiting clock (specification 10.3): prescribing starts within 10 working days of the referral
to a pharmacological modality, or within 5 working days of the community order for a DRR.

One definition serves the waits page (the team board), the keyworker's caseload, the morning task job and the
RX10 / DRR5 figures: the clock of a pharmacological modality (MODAL 94) stops at the earliest of its recorded
start (MODST), the first prescription of the episode on or after the referral (linked to this modality or to
none), and the planned start of a detox plan linked to it.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, DateField, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from core.calendar import add_working_days
from core.sql import AddWorkingDays
from prescribing.models import DetoxPlan, Prescription
from recovery_plans.models import Modality
from referrals.caseload import DueItem
from referrals.choices import OrderKind
from referrals.models import CommunityOrder, Person

PHARMACOLOGICAL = "94"
STANDARD_WAIT_WORKING_DAYS = 10
DRR_WAIT_WORKING_DAYS = 5


def prescribing_due_on(*, referred_on: date, drr_order_date: date | None = None) -> date:
    """The last day prescribing may start: 5 working days from a DRR community order, otherwise 10 working days
    from the assessor's referral to the modality."""
    if drr_order_date is not None:
        return add_working_days(drr_order_date, DRR_WAIT_WORKING_DAYS)
    return add_working_days(referred_on, STANDARD_WAIT_WORKING_DAYS)


def is_breach(*, due_on: date, started_on: date | None, today: date | None = None) -> bool:
    """Late if prescribing started after the due day, or has not started and the due day has passed."""
    if started_on is not None:
        return started_on > due_on
    return (today or timezone.localdate()) > due_on


@dataclass(frozen=True)
class Wait:
    modality: Modality
    due_on: date
    started_on: date | None
    breached: bool
    drr: bool

    def waiting_on(self, today: date) -> bool:
        """No start yet, or only a planned one: the person is still waiting today."""
        return self.started_on is None or self.started_on > today


def _drr_orders_clocking(*, linked: bool):
    """DRR orders whose first prescribing modality is the outer modality (`OuterRef("pk")`), latest order first.

    An order linked to an episode looks only at that episode's modalities; an order made for the person without
    an episode looks at every episode of the person whose referral arrived on or before the order (domain.md 6b:
    "made for the person on or after the referral"). Its clocked modality is the first pharmacological one
    referred on or after the order date; ties go to the earlier start (an unstarted one last), then the lower id.
    """
    candidates = Modality.objects.filter(
        modality_type__code=PHARMACOLOGICAL, referred_on__gte=OuterRef("order_date")
    ).order_by("referred_on", F("started_on").asc(nulls_last=True), "pk")
    if linked:
        candidates = candidates.filter(episode=OuterRef("episode"))
        orders = CommunityOrder.objects.filter(kind=OrderKind.DRR, episode=OuterRef("episode"))
    else:
        candidates = candidates.filter(
            episode__person=OuterRef("person"), episode__referral__received_on__lte=OuterRef("order_date")
        )
        orders = CommunityOrder.objects.filter(
            kind=OrderKind.DRR,
            episode__isnull=True,
            person=OuterRef("episode__person"),
            order_date__gte=OuterRef("episode__referral__received_on"),
        )
    return (
        orders.filter(order_date__lte=OuterRef("referred_on"))
        .annotate(clocked_modality=Subquery(candidates.values("pk")[:1]))
        .filter(clocked_modality=OuterRef("pk"))
        .order_by("-order_date", "-pk")
        .values("order_date")[:1]
    )


def with_clock(modalities):
    """The one prescribing-clock rule, as SQL annotations on a `Modality` queryset (so a list of any length is
    still one query, with no Python loop). It keeps only pharmacological modalities (MODAL 94) and adds:

    - `drr_order_date`: the date of the DRR community order that clocks this modality at 5 working days, or
      null. A DRR order clocks exactly one prescribing modality: the first referred on or after the order date
      (ties: the earlier start, then the lower id), among the modalities of the episode the order is linked to,
      or, for an order made for the person without an episode, of the person's episodes whose referral arrived
      on or before the order. Every other pharmacological modality has null here and runs on the 10-working-day
      clock from its own referral (domain.md 6b, "DRR5 / RX10 start"). When one modality is first for two
      orders, the later order clocks it.
    - `prescribing_started_on`: when prescribing started (the earliest of the modality's start, MODST, the
      episode's first prescription on or after the referral linked to this modality or to none, and the planned
      start of a detox plan linked to it); null while waiting, and always null for a modality closed without a
      start (withdrawn, or ended unplanned before it started), which counts in no waiting-time figure.

    RX10 reads the rows with `drr_order_date` null, DRR5 the others; `clock_of` turns a row into its due date.
    """
    first_prescription = (
        Prescription.objects.filter(episode=OuterRef("episode"), starts_on__gte=OuterRef("referred_on"))
        .filter(Q(modality=OuterRef("pk")) | Q(modality__isnull=True))
        .values("episode")
        .annotate(first=Min("starts_on"))
        .values("first")
    )
    first_detox = (
        DetoxPlan.objects.filter(modality=OuterRef("pk"))
        .values("modality")
        .annotate(first=Min("planned_start"))
        .values("first")
    )
    return modalities.filter(modality_type__code=PHARMACOLOGICAL).annotate(
        prescribing_started_on=Case(
            When(started_on__isnull=True, ended_on__isnull=False, then=Value(None, output_field=DateField())),
            # PostgreSQL's LEAST skips NULLs: the earliest of whichever starts exist.
            default=Least("started_on", Subquery(first_prescription), Subquery(first_detox)),
            output_field=DateField(),
        ),
        drr_order_date=Coalesce(
            Subquery(_drr_orders_clocking(linked=True)), Subquery(_drr_orders_clocking(linked=False))
        ),
    )


def clock_of(modality, today: date) -> Wait:
    """The clock of a modality annotated by `with_clock`."""
    due_on = prescribing_due_on(referred_on=modality.referred_on, drr_order_date=modality.drr_order_date)
    started_on = modality.prescribing_started_on
    return Wait(
        modality=modality,
        due_on=due_on,
        started_on=started_on,
        breached=is_breach(due_on=due_on, started_on=started_on, today=today),
        drr=modality.drr_order_date is not None,
    )


def open_clocks(modalities, today: date) -> list[Wait]:
    """Clocks of the still-open pharmacological modalities of open episodes among `modalities` (one query)."""
    rows = (
        with_clock(modalities.filter(ended_on__isnull=True, episode__discharged_on__isnull=True))
        .select_related("episode__person", "intervention")
        .order_by("referred_on", "pk")
    )
    return [clock_of(modality, today) for modality in rows]


WAITS_ORDER = ("referred_on", "pk")


def waits_board(user, today: date, *, breaches_only: bool = False):
    """The waits page, in SQL so a page of it costs one query: the open pharmacological modalities of open
    episodes of people the user may see that are still waiting or breached (`breaches_only`: breached), each
    annotated by `with_clock` and its `due_on`, in `WAITS_ORDER`. Rows go through `clock_of` for display."""
    modalities = Modality.objects.filter(
        episode__person__in=Person.objects.visible_to(user), ended_on__isnull=True, episode__discharged_on__isnull=True
    )
    rows = with_clock(modalities).annotate(
        due_on=Case(
            When(drr_order_date__isnull=True, then=AddWorkingDays(F("referred_on"), STANDARD_WAIT_WORKING_DAYS)),
            default=AddWorkingDays(F("drr_order_date"), DRR_WAIT_WORKING_DAYS),
            output_field=DateField(),
        )
    )
    # `is_breach` in SQL: started after the due day, or not started and the due day has passed.
    breached = Q(prescribing_started_on__gt=F("due_on")) | Q(prescribing_started_on__isnull=True, due_on__lt=today)
    shown = breached if breaches_only else breached | Q(prescribing_started_on__isnull=True)
    return rows.filter(shown).select_related("episode__person", "intervention")


def caseload_due_items(episode_ids: list[int]) -> dict[int, list[DueItem]]:
    """Caseload provider: the date prescribing must start by, for each modality still waiting (one query)."""
    today = timezone.localdate()
    # Only a modality not yet started (or starting later) can still be waiting: the clocks of the rest, most of a
    # caseload's prescribing, were worked out and thrown away.
    unstarted = Modality.objects.filter(episode_id__in=episode_ids).filter(
        Q(started_on__isnull=True) | Q(started_on__gt=today)
    )
    items: dict[int, list[DueItem]] = {}
    for clock in open_clocks(unstarted, today):
        if clock.waiting_on(today):
            days = DRR_WAIT_WORKING_DAYS if clock.drr else STANDARD_WAIT_WORKING_DAYS
            label = f"Prescribing to start ({'DRR: ' if clock.drr else ''}{days} working days)"
            items.setdefault(clock.modality.episode_id, []).append(DueItem(label, clock.due_on))
    return items


def started_in_period(start: date, end: date, *, team_id: int | None = None) -> list[Wait]:
    """RX10 and DRR5: pharmacological modalities whose prescribing started in the period, each with its clock.
    RX10 counts the rows with `drr` false, DRR5 those with `drr` true; the numerator is `not breached`."""
    modalities = Modality.objects.all()
    if team_id is not None:
        modalities = modalities.filter(episode__team_id=team_id)
    rows = (
        with_clock(modalities)
        .filter(prescribing_started_on__gte=start, prescribing_started_on__lte=end)
        .select_related("episode__person")
        .order_by("pk")
    )
    return [clock_of(modality, end) for modality in rows]
