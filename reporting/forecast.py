"""Breach forecast for the clock KPIs (FC3, W21, W42, RAP3, RAP12, RX10, DRR5, SIR0).

A record is **at risk** when the first day on which it would count as failed falls within the next
`HORIZON_DAYS` days (tomorrow up to a week today) and it can still be saved today. Its `due_on` is the last
day on which the work still meets the KPI, so at risk means `today <= due_on <= today + HORIZON_DAYS - 1`:

| KPI | record | due_on (the last day that still meets it) | saved by |
| --- | --- | --- | --- |
| FC3 | referral, no counting contact | received + 3 working days | a phone or in-person contact |
| W21 | unstarted modality, none started in its episode | referred + 21 days (at risk from day 15) | a start |
| W42 | as W21 | referred + 41 days (W42 counts waits of 42 days or more) | a start |
| RAP3 | episode with a treatment start, no signed plan | first modality start + 21 days | the assessor's sign-off |
| RAP12 | episode with a completed assessment, no plan review | first assessment completed + 84 days | a plan review |
| RX10 | unstarted prescribing modality, no DRR order | referred + 10 working days | prescribing starting (MODST) |
| DRR5 | unstarted prescribing modality with a DRR order | order date + 5 working days | prescribing starting (MODST) |
| SIR0 | running modality | latest review (or start) + 182 days | a sub-intervention review |

Each KPI is one set-based query over records already scoped by the caller, whatever their number, with the
engine's numbers and date arithmetic (`reporting.kpis.populations`, `core.sql`): the working-day
clocks are the engine's `AddWorkingDays` over the `core.WorkingDay` calendar table (FC3), or the due date stored
on the modality by the same rule (RX10, DRR5: `prescribing.waits.refresh_start_due`).

The morning job (`raise_at_risk_tasks`) raises one `referrals.Task` per at-risk record and closes it once the
work is done; `projection` gives the current quarter's figure if none of the at-risk records is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core.choices import AuditAction
from core.dates import long_date
from core.models import AuditEvent
from core.sql import AddWorkingDays
from prescribing.waits import MAY_BE_WAITING, with_clock
from recovery_plans.models import Modality, ModalityReview, PlanReview, PlanVersion
from referrals.choices import CONTACT_METHODS_THAT_COUNT, ReferralStatus, TaskKind
from referrals.models import Allocation, ContactAttempt, Episode, Referral, Task
from reporting.kpis.populations import (
    DRR5_WORKING_DAYS,
    FC3_WORKING_DAYS,
    RAP3_DAYS,
    RAP12_DAYS,
    RX10_WORKING_DAYS,
    SIR0_DAYS,
    W21_DAYS,
    W42_DAYS,
)

HORIZON_DAYS = 7
CLOCK_KPIS = ("FC3", "W21", "W42", "RAP3", "RAP12", "RX10", "DRR5", "SIR0")
FIRST_CONTACT_STATUSES = (ReferralStatus.AWAITING_CONTACT, ReferralStatus.AWAITING_TRIAGE)
TASK_PREFIX = "kpi_at_risk:"

# The task kind each KPI's work already has on a caseload; FC3's work (a first contact) has none of its own.
TASK_KINDS = {
    "FC3": TaskKind.OTHER,
    "W21": TaskKind.MODALITY_WAIT,
    "W42": TaskKind.MODALITY_WAIT,
    "RAP3": TaskKind.RECOVERY_PLAN_DUE,
    "RAP12": TaskKind.PLAN_REVIEW_DUE,
    "RX10": TaskKind.PRESCRIBING_WAIT,
    "DRR5": TaskKind.PRESCRIBING_WAIT,
    "SIR0": TaskKind.MODALITY_REVIEW_DUE,
}


@dataclass(frozen=True)
class AtRisk:
    code: str
    # The id of the record in the KPI's population: a referral (FC3), a modality (W21, W42, RX10, DRR5, SIR0:
    # W21 and W42 count its episode) or an episode (RAP3, RAP12).
    record_id: int
    population_id: int
    due_on: date
    action: str
    url: str
    person_id: int
    person_name: str
    client_id: str
    episode_id: int | None
    team_id: int
    keyworker_id: int | None
    holder_team_id: int | None
    received_on: date | None = None

    @property
    def counts_on(self) -> date:
        """The day that puts the record in a period's population if it fails: FC3 by its referral's arrival,
        RAP3 and RAP12 by their due date, the rest (a late start, an overdue review) the day after it."""
        if self.code == "FC3":
            return self.received_on
        if self.code in ("RAP3", "RAP12"):
            return self.due_on
        return self.due_on + timedelta(days=1)

    @property
    def key(self) -> str:
        """The task's `source_key`: one task per KPI, record and due date."""
        return f"{TASK_PREFIX}{self.code}:{self.record_id}:{self.due_on.isoformat()}"

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days


@dataclass(frozen=True)
class Scope:
    """The records a forecast reads: already `visible_to` the reader, and narrowed to a team or caseload."""

    referrals: object
    episodes: object
    modalities: object


def scope_for(*, user=None, team_ids=None, keyworker=None) -> Scope:
    """`user`: only what they may see; `team_ids`: the KPI's team (episode team, FC3 by referral team);
    `keyworker`: their current caseload (no referrals: first contact is the team's work).

    A caseload is read once, as a list of episode ids: the planner then starts each KPI's query from those few
    episodes, where a subquery let it start from the whole service's window of waits and filter by caseload after
    (32 of W21's 33 ms at a million people)."""
    episodes = Episode.objects.all() if user is None else Episode.objects.visible_to(user)
    modalities = Modality.objects.all() if user is None else Modality.objects.visible_to(user)
    if keyworker is not None:
        referrals = Referral.objects.none()
        caseload = list(
            Allocation.objects.filter(keyworker=keyworker, ended_on__isnull=True).values_list("episode_id", flat=True)
        )
        episodes = episodes.filter(pk__in=caseload)
        modalities = modalities.filter(episode_id__in=caseload)
    else:
        referrals = Referral.objects.all() if user is None else Referral.objects.visible_to(user)
    if team_ids is not None:
        referrals = referrals.filter(team_id__in=team_ids)
        episodes = episodes.filter(team_id__in=team_ids)
        modalities = modalities.filter(episode__team_id__in=team_ids)
    return Scope(referrals, episodes, modalities)


@dataclass(frozen=True)
class Window:
    """Due dates from `first` (None: however long overdue) to `last`; `today` words the waits."""

    today: date
    first: date | None
    last: date

    def shifted(self, days: int) -> dict:
        """A `__range`-or-`__lte` lookup on the start date that puts `start + days` in the window."""
        if self.first is None:
            return {"lte": self.last - timedelta(days=days)}
        return {"range": (self.first - timedelta(days=days), self.last - timedelta(days=days))}


def window(today: date) -> Window:
    """The due dates at risk today: today up to the day before the horizon ends."""
    return Window(today, today, today + timedelta(days=HORIZON_DAYS - 1))


def pending_window(today: date) -> Window:
    """Everything due by the horizon's end, overdue included: the work a raised task still waits for."""
    return Window(today, None, today + timedelta(days=HORIZON_DAYS - 1))


def _lookup(field: str, bounds: dict) -> dict:
    return {f"{field}__{kind}": value for kind, value in bounds.items()}


def _current(episode_ref: str):
    return Allocation.objects.filter(episode=OuterRef(episode_ref), ended_on__isnull=True).order_by(
        "-allocated_on", "-pk"
    )


def _with_holder(queryset, episode_ref: str):
    current = _current(episode_ref)
    return queryset.annotate(
        holder_id=Subquery(current.values("keyworker_id")[:1]),
        holder_team_id=Subquery(current.values("team_id")[:1]),
    )


def _person_fields(prefix: str) -> list[str]:
    return [
        f"{prefix}person_id",
        f"{prefix}person__given_name",
        f"{prefix}person__family_name",
        f"{prefix}person__client_id",
    ]


def first_contact(scope: Scope, span: Window) -> list[AtRisk]:
    contacted = ContactAttempt.objects.filter(referral=OuterRef("pk"), method__in=CONTACT_METHODS_THAT_COUNT)
    rows = (
        scope.referrals.filter(status__in=FIRST_CONTACT_STATUSES)
        .filter(~Exists(contacted))
        .annotate(due=AddWorkingDays(F("received_on"), FC3_WORKING_DAYS))
        .filter(**_lookup("due", span.shifted(0)))
        .order_by("due", "pk")
        .values_list("pk", "due", "received_on", "team_id", *_person_fields(""))
    )
    return [
        AtRisk(
            "FC3",
            pk,
            pk,
            due,
            f"Make a first contact by phone or in person by {long_date(due)} (referred {long_date(received)})",
            reverse("referrals:contact-new", args=[pk]),
            person_id,
            f"{given} {family}",
            client_id,
            None,
            team_id,
            None,
            None,
            received_on=received,
        )
        for pk, due, received, team_id, person_id, given, family, client_id in rows
    ]


def _waiting_modalities(scope: Scope):
    started = Modality.objects.filter(episode=OuterRef("episode"), started_on__isnull=False)
    return scope.modalities.filter(
        started_on__isnull=True, ended_on__isnull=True, episode__discharged_on__isnull=True
    ).filter(~Exists(started))


# W42 counts waits of 42 days or more: the last day that still meets it is day 41.
FIRST_WAIT_LAST_DAY = {"W21": W21_DAYS, "W42": W42_DAYS - 1}


def _in_window(due: date, span: Window) -> bool:
    return (span.first is None or span.first <= due) and due <= span.last


def first_waits(scope: Scope, span: Window, codes=("W21", "W42")) -> list[AtRisk]:
    """W21 and W42 in one query: the same waiting modalities, each clock with its own window of referral dates (a
    wait long overdue for both is at risk for both, with the pending window)."""
    windows = Q(pk__in=[])
    for code in codes:
        windows |= Q(**_lookup("referred_on", span.shifted(FIRST_WAIT_LAST_DAY[code])))
    rows = (
        _with_holder(_waiting_modalities(scope), "episode")
        .filter(windows)
        .order_by("referred_on", "pk")
        .values_list(
            "pk",
            "episode_id",
            "referred_on",
            "intervention__label",
            "episode__team_id",
            "holder_id",
            "holder_team_id",
            *_person_fields("episode__"),
        )
    )
    items = []
    for pk, episode_id, referred, label, team_id, holder, holder_team, person_id, given, family, client in rows:
        for code in codes:
            due = referred + timedelta(days=FIRST_WAIT_LAST_DAY[code])
            if not _in_window(due, span):
                continue
            items.append(
                AtRisk(
                    code,
                    pk,
                    episode_id,
                    due,
                    f"Start {label} by {long_date(due)} (referred {long_date(referred)}, "
                    f"day {(span.today - referred).days} of the wait)",
                    reverse("recovery_plans:modality-start", args=[pk]),
                    person_id,
                    f"{given} {family}",
                    client,
                    episode_id,
                    team_id,
                    holder,
                    holder_team,
                )
            )
    return items


def first_wait_21(scope: Scope, span: Window) -> list[AtRisk]:
    return first_waits(scope, span, ("W21",))


def first_wait_42(scope: Scope, span: Window) -> list[AtRisk]:
    return first_waits(scope, span, ("W42",))


def _episode_items(rows, code: str, days: int, action: str, url_name: str) -> list[AtRisk]:
    items = []
    for pk, since, team_id, holder, holder_team, person_id, given, family, client in rows:
        due = since + timedelta(days=days)
        items.append(
            AtRisk(
                code,
                pk,
                pk,
                due,
                action.format(due=long_date(due), since=long_date(since)),
                reverse(url_name, args=[pk]),
                person_id,
                f"{given} {family}",
                client,
                pk,
                team_id,
                holder,
                holder_team,
            )
        )
    return items


def plan_signed(scope: Scope, span: Window) -> list[AtRisk]:
    treatment_start = (
        Modality.objects.filter(episode=OuterRef("pk"), started_on__isnull=False)
        .order_by("started_on")
        .values("started_on")[:1]
    )
    signed = PlanVersion.objects.filter(plan__episode=OuterRef("pk"), signed_on__isnull=False)
    rows = (
        _with_holder(scope.episodes.filter(discharged_on__isnull=True), "pk")
        .annotate(since=Subquery(treatment_start))
        .filter(**_lookup("since", span.shifted(RAP3_DAYS)))
        .filter(~Exists(signed))
        .order_by("since", "pk")
        .values_list("pk", "since", "team_id", "holder_id", "holder_team_id", *_person_fields(""))
    )
    return _episode_items(
        rows,
        "RAP3",
        RAP3_DAYS,
        "Have the recovery plan signed off by {due} (treatment started {since})",
        "recovery_plans:plan-detail",
    )


def plan_reviewed(scope: Scope, span: Window) -> list[AtRisk]:
    from assessment.models import Assessment

    assessed = (
        Assessment.objects.filter(episode=OuterRef("pk"), completed_on__isnull=False)
        .order_by("completed_on")
        .values("completed_on")[:1]
    )
    reviewed = PlanReview.objects.filter(plan__episode=OuterRef("pk"))
    rows = (
        _with_holder(scope.episodes.filter(discharged_on__isnull=True), "pk")
        .annotate(since=Subquery(assessed))
        .filter(**_lookup("since", span.shifted(RAP12_DAYS)))
        .filter(~Exists(reviewed))
        .order_by("since", "pk")
        .values_list("pk", "since", "team_id", "holder_id", "holder_team_id", *_person_fields(""))
    )
    return _episode_items(
        rows,
        "RAP12",
        RAP12_DAYS,
        "Review the recovery plan by {due} (comprehensive assessment completed {since})",
        "recovery_plans:plan-detail",
    )


def prescribing_waits(scope: Scope, span: Window, codes=("RX10", "DRR5")) -> list[AtRisk]:
    """RX10 and DRR5 in one query: the same waiting prescribing modalities, clocked from the referral (10 working
    days) or, with a DRR order, from the order (5 working days), as the waits page clocks them."""
    # Due on the stored date; `MAY_BE_WAITING` lets the planner read the waiting ones from their index.
    waiting = with_clock(
        scope.modalities.filter(MAY_BE_WAITING, started_on__isnull=True, episode__discharged_on__isnull=True)
    )
    if len(codes) == 1:
        waiting = waiting.filter(drr_order_date__isnull=codes[0] == "RX10")
    waiting = waiting.annotate(due=F("start_due_on"))
    rows = (
        _with_holder(waiting.filter(**_lookup("due", span.shifted(0))), "episode")
        .order_by("due", "pk")
        .values_list(
            "pk",
            "episode_id",
            "referred_on",
            "drr_order_date",
            "due",
            "episode__team_id",
            "holder_id",
            "holder_team_id",
            *_person_fields("episode__"),
        )
    )
    items = []
    for pk, episode_id, referred, order, due, team_id, holder, holder_team, person_id, given, family, client in rows:
        drr = order is not None
        days = DRR5_WORKING_DAYS if drr else RX10_WORKING_DAYS
        since = f"DRR order made {long_date(order)}" if drr else f"referred {long_date(referred)}"
        items.append(
            AtRisk(
                "DRR5" if drr else "RX10",
                pk,
                pk,
                due,
                f"Start prescribing by {long_date(due)} ({since}, {days} working days)",
                reverse("prescribing:person-history", args=[person_id]),
                person_id,
                f"{given} {family}",
                client,
                episode_id,
                team_id,
                holder,
                holder_team,
            )
        )
    return items


def prescribing_10(scope: Scope, span: Window) -> list[AtRisk]:
    return prescribing_waits(scope, span, ("RX10",))


def prescribing_drr(scope: Scope, span: Window) -> list[AtRisk]:
    return prescribing_waits(scope, span, ("DRR5",))


def sub_intervention_review(scope: Scope, span: Window) -> list[AtRisk]:
    latest = ModalityReview.objects.filter(modality=OuterRef("pk")).order_by("-reviewed_on").values("reviewed_on")[:1]
    rows = (
        _with_holder(
            scope.modalities.filter(
                started_on__isnull=False, ended_on__isnull=True, episode__discharged_on__isnull=True
            ),
            "episode",
        )
        .annotate(since=Coalesce(Subquery(latest), F("started_on")))
        .filter(**_lookup("since", span.shifted(SIR0_DAYS)))
        .order_by("since", "pk")
        .values_list(
            "pk",
            "episode_id",
            "since",
            "intervention__label",
            "episode__team_id",
            "holder_id",
            "holder_team_id",
            *_person_fields("episode__"),
        )
    )
    items = []
    for pk, episode_id, since, label, team_id, holder, holder_team, person_id, given, family, client in rows:
        due = since + timedelta(days=SIR0_DAYS)
        items.append(
            AtRisk(
                "SIR0",
                pk,
                pk,
                due,
                f"Record a review of {label} by {long_date(due)} (last reviewed or started {long_date(since)})",
                reverse("recovery_plans:modality-review", args=[pk]),
                person_id,
                f"{given} {family}",
                client,
                episode_id,
                team_id,
                holder,
                holder_team,
            )
        )
    return items


SELECTORS = {
    "FC3": first_contact,
    "W21": first_wait_21,
    "W42": first_wait_42,
    "RAP3": plan_signed,
    "RAP12": plan_reviewed,
    "RX10": prescribing_10,
    "DRR5": prescribing_drr,
    "SIR0": sub_intervention_review,
}


# KPIs whose records one query reads together: the same population, each with its own clock.
SHARED_QUERIES = {("W21", "W42"): first_waits, ("RX10", "DRR5"): prescribing_waits}


def at_risk(scope: Scope, today: date | None = None, *, codes=CLOCK_KPIS, span: Window | None = None) -> list[AtRisk]:
    """Every at-risk record in `scope`, soonest due first: one query per KPI, or per pair in SHARED_QUERIES."""
    span = span or window(today or timezone.localdate())
    items, alone = [], list(codes)
    for pair, select in SHARED_QUERIES.items():
        asked = tuple(code for code in pair if code in alone)
        if len(asked) == len(pair):
            items += select(scope, span, asked)
            alone = [code for code in alone if code not in asked]
    items += [item for code in alone for item in SELECTORS[code](scope, span)]
    return sorted(items, key=lambda item: (item.due_on, item.code, item.record_id))


def counts_by_kpi(items: list[AtRisk]) -> dict[str, int]:
    counts = dict.fromkeys(CLOCK_KPIS, 0)
    for item in items:
        counts[item.code] += 1
    return counts


def _covered(items: list[AtRisk]) -> set[tuple[str, int]]:
    """(code, record id) of the at-risk records another morning job already raised an open task for (the
    recovery plan alerts raise plan, review and 14-day wait tasks a week ahead), so each record has one task."""
    episode_ids = {item.episode_id for item in items if item.episode_id is not None}
    open_tasks = Task.objects.filter(episode_id__in=episode_ids, done_on__isnull=True).exclude(
        source_key__startswith=TASK_PREFIX
    )
    found = {
        (kind, episode_id, key) for kind, episode_id, key in open_tasks.values_list("kind", "episode_id", "source_key")
    }
    covered = set()
    for item in items:
        for kind, episode_id, key in found:
            if kind != TASK_KINDS[item.code] or episode_id != item.episode_id:
                continue
            # Episode tasks (plan, plan review) name the episode or plan; modality tasks name the modality.
            if item.code in ("RAP3", "RAP12") or key.split(":")[1] == str(item.record_id):
                covered.add((item.code, item.record_id))
    return covered


def _audit(tasks, details: dict) -> None:
    """One audit row per task, written together (the first morning may raise many)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditAction.CREATE if details.get("raised") else AuditAction.CHANGE,
            object_type=Task._meta.label,
            object_id=str(pk),
            object_repr=title[:200],
            details=details,
        )
        for pk, title in tasks
    )


def task_title(item: AtRisk) -> str:
    return f"{item.code} at risk: {item.action}"[:200]


@transaction.atomic
def raise_at_risk_tasks(*, today: date | None = None) -> dict[str, int]:
    """The morning job: one open task per at-risk record (unless another job's open task already covers it),
    for the episode's keyworker and their team, or the KPI's team; and every task it raised earlier whose work
    is done (or no longer needed: discharged, referral closed) is closed. `source_key` names the KPI, the record
    and the due date, so a second run the same day raises nothing."""
    today = today or timezone.localdate()
    everything = scope_for()
    items = at_risk(everything, today)
    covered = _covered(items)
    due = {item.key: item for item in items if (item.code, item.record_id) not in covered}
    existing = set(Task.objects.filter(source_key__in=due).values_list("source_key", flat=True))
    created = Task.objects.bulk_create(
        Task(
            person_id=item.person_id,
            episode_id=item.episode_id,
            kind=TASK_KINDS[item.code],
            title=task_title(item),
            assigned_to_id=item.keyworker_id,
            team_id=item.holder_team_id or item.team_id,
            due_on=item.due_on,
            source_key=key,
        )
        for key, item in due.items()
        if key not in existing
    )
    _audit([(task.pk, task.title) for task in created], {"source": "kpi_at_risk", "raised": True})
    pending = {item.key for item in at_risk(everything, span=pending_window(today))}
    done = list(
        Task.objects.filter(source_key__startswith=TASK_PREFIX, done_on__isnull=True)
        .exclude(source_key__in=pending)
        .values_list("pk", "title")
    )
    Task.objects.filter(pk__in=[pk for pk, _ in done]).update(done_on=today)
    _audit(done, {"source": "kpi_at_risk", "done_on": today.isoformat()})
    return {"raised": len(created), "closed": len(done)}


@dataclass(frozen=True)
class Projection:
    code: str
    so_far: object  # the engine's KpiResult for the quarter up to today
    at_risk: int  # at-risk records that would fall in this quarter's population as failures
    projected: object  # the KpiResult if none of them is saved


def projection(*, team=None, today: date | None = None) -> tuple[object, list[Projection]]:
    """The current quarter's figure for each clock KPI so far (the engine's, for the quarter's first day to
    today) and as it would be if none of the at-risk records in the quarter is saved: each becomes a failure,
    unless the engine already counts it as one. A fixed number of queries: the at-risk lists, one figure and
    one membership query per KPI."""
    from reporting.kpis.engine import compute, population_rows, result_for
    from reporting.models import Kpi
    from reporting.periods import date_range, quarter_containing

    today = today or timezone.localdate()
    quarter = quarter_containing(today)
    so_far = date_range(quarter.start, today)
    team_ids = None if team is None else [team.pk]
    items = at_risk(scope_for(team_ids=team_ids), today)
    results = compute(so_far, team=team, codes=CLOCK_KPIS)
    kpis = {kpi.code: kpi for kpi in Kpi.objects.filter(code__in=CLOCK_KPIS)}
    projections = []
    for code in CLOCK_KPIS:
        if code not in results:
            continue
        inside = {
            item.population_id for item in items if item.code == code and quarter.start <= item.counts_on <= quarter.end
        }
        # Already in the population so far: a passing row (SIR0's open modality) would turn into a failure;
        # a failing one (FC3 due today) is already counted. The rest join the population as failures.
        present = {}
        if inside:
            present = dict(population_rows(code, so_far, team=team).filter(pk__in=inside).values_list("pk", "fails"))
        turned = sum(1 for fails in present.values() if not fails)
        joined = len(inside - set(present))
        result = results[code]
        # A count KPI counts failures; a rate counts passes.
        numerator = result.numerator + turned + joined if result.kind == "count" else result.numerator - turned
        projected = result_for(kpis[code], numerator, result.denominator + joined)
        projections.append(Projection(code, result, len(inside), projected))
    return quarter, projections
