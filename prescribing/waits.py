"""The prescribing waiting clock (specification 10.3): prescribing starts within 10 working days of the referral
to a pharmacological modality, or within 5 working days of the community order for a DRR.

The due date is stored on the modality (`start_due_on`), written only by `refresh_start_due`, so the waits board,
the morning job and the at-risk forecast find waiting modalities through an index instead of working out every
clock in the service (docs/benchmarks.md, "Lists and visibility"). The services that change what it depends on
(a modality referred or started, a DRR order made, a merge, the transfer import) call it through
`referrals.clock_inputs`.

One definition serves the waits page (the team board), the keyworker's caseload, the morning task job and the
RX10 / DRR5 figures: the clock of a pharmacological modality (MODAL 94) stops at the earliest of its recorded
start (MODST), the first prescription of the episode on or after the referral (linked to this modality or to
none), and the planned start of a detox plan linked to it.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, DateField, Exists, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import IsNull
from django.utils import timezone

from core.sql import AddWorkingDays
from prescribing.models import DetoxPlan, Prescription
from recovery_plans.models import Modality
from referrals.caseload import DueItem
from referrals.choices import OrderKind
from referrals.models import CommunityOrder, Episode, Person, Referral

PHARMACOLOGICAL = "94"
STANDARD_WAIT_WORKING_DAYS = 10
DRR_WAIT_WORKING_DAYS = 5


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
        # The referral's date read by its own subquery: as an outer reference it joined every referral to the
        # list's query, which the planner then sorted rather than walk the list's index (waits board).
        received_on = Referral.objects.filter(pk=OuterRef(OuterRef("episode__referral"))).values("received_on")
        orders = CommunityOrder.objects.filter(
            kind=OrderKind.DRR,
            episode__isnull=True,
            person=OuterRef("episode__person"),
            order_date__gte=Subquery(received_on),
        )
    return (
        orders.filter(order_date__lte=OuterRef("referred_on"))
        .annotate(clocked_modality=Subquery(candidates.values("pk")[:1]))
        .filter(clocked_modality=OuterRef("pk"))
        .order_by("-order_date", "-pk")
        .values("order_date")[:1]
    )


def clocking_drr_order_date() -> Coalesce:
    """The date of the DRR community order that clocks the modality (`OuterRef("pk")`) at 5 working days, or null."""
    return Coalesce(Subquery(_drr_orders_clocking(linked=True)), Subquery(_drr_orders_clocking(linked=False)))


def _start_due_on() -> Case:
    """The last day prescribing may start: 5 working days from the DRR community order that clocks the modality,
    otherwise 10 working days from the assessor's referral to the modality."""
    order_date = clocking_drr_order_date()
    return Case(
        When(IsNull(order_date, True), then=AddWorkingDays(F("referred_on"), STANDARD_WAIT_WORKING_DAYS)),
        default=AddWorkingDays(order_date, DRR_WAIT_WORKING_DAYS),
        output_field=DateField(),
    )


def refresh_start_due(modalities) -> int:
    """Store the due date (`start_due_on`) of the pharmacological modalities among `modalities`, in one UPDATE:
    the only place the clock's due date is worked out. Call it whenever a modality is referred or starts (the
    start breaks ties between modalities referred the same day) and whenever a DRR order or a person's episodes
    change; `refresh_start_due_of_people` does so for whole people, which covers every modality a DRR order
    may clock."""
    due = Modality.objects.filter(pk=OuterRef("pk")).annotate(due=_start_due_on()).values("due")
    pharmacological = modalities.filter(modality_type__code=PHARMACOLOGICAL).order_by().values("pk")
    return Modality.objects.filter(pk__in=pharmacological).update(start_due_on=Subquery(due))


def refresh_start_due_of_people(person_ids: list[int]) -> int:
    """`refresh_start_due` for every modality of these people (registered with `referrals.clock_inputs`)."""
    return refresh_start_due(Modality.objects.filter(episode__person_id__in=person_ids))


def _prescriptions_starting():
    """Scripts that start the outer modality's prescribing: the episode's, on or after the modality's referral,
    linked to this modality or to none."""
    return Prescription.objects.filter(episode=OuterRef("episode"), starts_on__gte=OuterRef("referred_on")).filter(
        Q(modality=OuterRef("pk")) | Q(modality__isnull=True)
    )


def _detox_plans():
    """Detox plans linked to the outer modality: their planned start starts its prescribing."""
    return DetoxPlan.objects.filter(modality=OuterRef("pk"))


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

    RX10 reads the rows with `drr_order_date` null, DRR5 the others; `clock_of` turns a row into its `Wait`.
    """
    return _clock_annotations(modalities.filter(modality_type__code=PHARMACOLOGICAL))


def _clock_annotations(pharmacological):
    first_prescription = _prescriptions_starting().values("episode").annotate(first=Min("starts_on")).values("first")
    first_detox = _detox_plans().values("modality").annotate(first=Min("planned_start")).values("first")
    return pharmacological.annotate(
        prescribing_started_on=Case(
            When(started_on__isnull=True, ended_on__isnull=False, then=Value(None, output_field=DateField())),
            # PostgreSQL's LEAST skips NULLs: the earliest of whichever starts exist.
            default=Least("started_on", Subquery(first_prescription), Subquery(first_detox)),
            output_field=DateField(),
        ),
        drr_order_date=clocking_drr_order_date(),
    )


def clock_of(modality, today: date) -> Wait:
    """The clock of a modality annotated by `with_clock`, due on its stored date."""
    due_on = modality.start_due_on
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

# Open pharmacological modalities not started, or started after their due date: the only ones that can be waiting
# or late, and exactly the rows of the partial index `modality_start_due_idx` (kept in the same form so the
# planner matches it). A start on or before the due date ends the wait whatever else is recorded.
MAY_BE_WAITING = Q(start_due_on__isnull=False, ended_on__isnull=True) & (
    Q(started_on__isnull=True) | Q(started_on__gt=F("start_due_on"))
)


def waits_board(user, today: date, *, breaches_only: bool = False):
    """The waits page, in SQL so a page of it costs one query: the open pharmacological modalities of open
    episodes of people the user may see that are still waiting or breached (`breaches_only`: breached), each
    annotated by `with_clock`, in `WAITS_ORDER`, walked through `modality_start_due_idx` so a page stops at its
    last row. Rows go through `clock_of` for display."""
    # Still waiting or started late is `prescribing_started_on` null or after the due day: with MAY_BE_WAITING (no
    # MODST by the due day), that is no script and no detox plan starting by the due day, which the planner tests
    # row by row as it walks the index (the same comparison through `prescribing_started_on` it cannot estimate,
    # and it sorted every waiting modality of the service).
    started_by_due_day = Exists(_prescriptions_starting().filter(starts_on__lte=OuterRef("start_due_on"))) | Exists(
        _detox_plans().filter(planned_start__lte=OuterRef("start_due_on"))
    )
    # The episode is open: tested per row by its primary key. As a join or an EXISTS (which the planner turns into
    # a join) it read every open episode of the service to meet the few waiting modalities.
    open_episode = (
        Episode.objects.filter(pk=OuterRef("episode_id"), discharged_on__isnull=True).order_by().values("pk")[:1]
    )
    modalities = Modality.objects.annotate(open_episode=Subquery(open_episode)).filter(
        MAY_BE_WAITING,
        ~started_by_due_day,
        Q(open_episode__isnull=False),
        episode__person__in=Person.objects.visible_to(user),
    )
    # A stored due date is a pharmacological modality's: no join to the modality type.
    rows = _clock_annotations(modalities)
    if breaches_only:
        # `is_breach` in SQL: not started by the due day, and the due day has passed or a later start is recorded.
        rows = rows.filter(Q(start_due_on__lt=today) | Q(prescribing_started_on__isnull=False))
    return rows.select_related("episode__person", "intervention")


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
