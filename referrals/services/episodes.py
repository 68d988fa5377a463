"""Episode work: allocation, partner agencies, carers, tasks, discharge, follow-ups and re-engagement."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from core import audit
from core.choices import AuditAction, DischargeOutcome, Role, TeamKind
from core.concurrency import save_if_unchanged
from core.dates import long_date
from core.errors import DomainError
from core.models import DischargeReason, Team, User
from referrals import discharge_checks
from referrals.choices import FollowUpKind, TaskKind
from referrals.models import (
    Allocation,
    Carer,
    Episode,
    FollowUp,
    PartnerInvolvement,
    Person,
    ReengagementEntry,
    Task,
    TeamInvolvement,
)
from referrals.services.people import refuse_if_merged

FOLLOW_UP_MONTHS = {FollowUpKind.SIX_MONTHS: 6, FollowUpKind.TWELVE_MONTHS: 12}
FOLLOW_UP_TASK_WINDOW_DAYS = 14
CASEWORK_ROLES = (Role.KEYWORKER, Role.TEAM_MANAGER, Role.ASSESSOR, Role.DATA_ADMIN)
REENGAGEMENT_ROLES = (Role.TEAM_MANAGER, Role.KEYWORKER, Role.DATA_ADMIN)
# NDTMS discharge reason "incomplete, client died": its meaning is national, whatever an admin calls it.
CLIENT_DIED = "89"


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` later; the 29th-31st fall back to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def two_years_after(day: date) -> date:
    """29 February plus two years is 28 February (there is no 29th)."""
    try:
        return day.replace(year=day.year + 2)
    except ValueError:
        return day.replace(year=day.year + 2, day=28)


def _require_manager(user: User) -> None:
    if not (user.has_role(Role.TEAM_MANAGER) or user.has_role(Role.DATA_ADMIN)):
        raise DomainError("Only a team manager can allocate workers to an episode.", field="keyworker")


@transaction.atomic
def allocate(
    *,
    episode: Episode,
    assessor: User,
    keyworker: User,
    team: Team,
    expected_version: int,
    by: User,
    on: date | None = None,
    reason: str = "",
) -> Allocation:
    """Allocate (or reallocate) an assessor and lead keyworker; a reallocation ends the current row."""
    _require_manager(by)
    on = on or timezone.localdate()
    if not episode.is_open:
        raise DomainError("This episode has been discharged: it cannot be allocated.", field="keyworker")
    if not assessor.has_role(Role.ASSESSOR):
        raise DomainError(f"{assessor.get_full_name() or assessor} is not an assessor.", field="assessor")
    if episode.team_id and not assessor.teams.filter(pk=episode.team_id).exists():
        # The assessor is the one who met the person at intake: a member of the team the referral came to.
        raise DomainError(
            f"{assessor.get_full_name() or assessor} is not an assessor of {episode.team}: choose one of theirs.",
            field="assessor",
        )
    if not keyworker.has_role(Role.KEYWORKER):
        raise DomainError(
            f"{keyworker.get_full_name() or keyworker} is not a keyworker: choose a lead keyworker.",
            field="keyworker",
        )
    if team.kind != TeamKind.DELIVERY:
        raise DomainError("Choose a delivery team.", field="team")
    if on < episode.opened_on:
        raise DomainError("The allocation date cannot be before the episode opened.", field="allocated_on")
    # The version bump claims the episode: a second manager allocating from the same page is refused.
    save_if_unchanged(episode, expected_version=expected_version, fields=[], what="episode")
    current = Allocation.objects.select_for_update().filter(episode=episode, ended_on__isnull=True).first()
    if current is not None:
        if on < current.allocated_on:
            raise DomainError("The new allocation cannot start before the current one.", field="allocated_on")
        current.ended_on = on
        current.save(update_fields=["ended_on"])
        audit.record(AuditAction.CHANGE, current, actor=by, details={"ended_on": on.isoformat()})
    allocation = Allocation.objects.create(
        episode=episode,
        assessor=assessor,
        keyworker=keyworker,
        team=team,
        allocated_on=on,
        allocated_by=by,
        reason=reason,
    )
    TeamInvolvement.objects.get_or_create(
        person=episode.person, team=team, defaults={"since": on, "reason": "allocation"}
    )
    audit.record(
        AuditAction.CREATE,
        allocation,
        actor=by,
        details={"assessor": assessor.pk, "keyworker": keyworker.pk, "team": team.pk, "reallocation": bool(current)},
    )
    return allocation


@transaction.atomic
def add_partner_involvement(
    *,
    episode: Episode,
    agency: str,
    started_on: date,
    by: User,
    organisation: str = "",
    contact_name: str = "",
    notes: str = "",
) -> PartnerInvolvement:
    if started_on > timezone.localdate():
        raise DomainError("The start date cannot be in the future.", field="started_on")
    involvement = PartnerInvolvement.objects.create(
        episode=episode,
        agency=agency,
        started_on=started_on,
        organisation=organisation,
        contact_name=contact_name,
        notes=notes,
        recorded_by=by,
    )
    audit.record(AuditAction.CREATE, involvement, actor=by, details={"agency": agency})
    return involvement


@transaction.atomic
def add_carer(
    *,
    person: Person,
    name: str,
    relationship: str,
    support_started_on: date,
    support_planned_end: date,
    by: User,
    phone: str = "",
) -> Carer:
    refuse_if_merged(person)
    if support_planned_end <= support_started_on:
        raise DomainError("The planned end must be after support started.", field="support_planned_end")
    latest = two_years_after(support_started_on)
    if support_planned_end > latest:
        raise DomainError(
            "Carer support is planned for at most two years: "
            f"the planned end can be {long_date(latest)} at the latest.",
            field="support_planned_end",
        )
    _within_two_years_in_all(
        person=person, name=name, start=support_started_on, end=support_planned_end, field="support_planned_end"
    )
    carer = Carer.objects.create(
        person=person,
        name=name,
        relationship=relationship,
        phone=phone,
        support_started_on=support_started_on,
        support_planned_end=support_planned_end,
    )
    audit.record(AuditAction.CREATE, carer, actor=by)
    return carer


def _support_end(carer: Carer) -> date:
    return carer.support_ended_on or carer.support_planned_end


def _within_two_years_in_all(
    *, person: Person, name: str, start: date, end: date, field: str, carer: Carer | None = None
) -> None:
    """SPEC 10.17: one carer is supported for at most two years in all, however many records hold it
    (a second record for the same carer cannot restart the clock). The same carer is the same name
    for the same person, whatever the case or spacing."""
    records = (
        Carer.objects.select_for_update()
        .filter(person=person, name__iexact=" ".join(name.split()))
        .order_by("support_started_on", "pk")
    )
    if carer is not None:
        records = records.exclude(pk=carer.pk)
    records = list(records)
    for other in records:
        if other.support_started_on < end and start < _support_end(other):
            raise DomainError(
                f"{other.name} is already supported from {long_date(other.support_started_on)} to "
                f"{long_date(_support_end(other))}. Change that record instead of adding another.",
                field=field,
            )
    first = min([start, *(other.support_started_on for other in records)])
    allowance = (two_years_after(first) - first).days
    used = sum((_support_end(other) - other.support_started_on).days for other in records)
    if used + (end - start).days > allowance:
        latest = start + timedelta(days=max(allowance - used, 0))
        raise DomainError(
            f"Carer support is at most two years in all: {name} has already been supported for {used} days, "
            f"so this support can end on {long_date(latest)} at the latest.",
            field=field,
        )


def _require_role(user: User, roles, message: str, field: str) -> None:
    if not (user.is_superuser or user.has_role(*roles)):
        raise DomainError(message, field=field)


def _not_in_future(day: date, what: str, field: str) -> None:
    if day > timezone.localdate():
        raise DomainError(f"The {what} cannot be in the future.", field=field)


@transaction.atomic
def carer_support_end(*, carer: Carer, ended_on: date, by: User) -> Carer:
    """Support ends on its planned date or earlier; the two-year limit (SPEC 10.17) still holds."""
    _require_role(by, CASEWORK_ROLES, "Only casework staff can end a carer's support.", "support_ended_on")
    carer = Carer.objects.select_for_update().get(pk=carer.pk)
    if carer.support_ended_on is not None:
        raise DomainError(
            f"Support for {carer.name} already ended on {long_date(carer.support_ended_on)}.", field="support_ended_on"
        )
    if ended_on < carer.support_started_on:
        raise DomainError(
            f"Support cannot end before it started on {long_date(carer.support_started_on)}.", field="support_ended_on"
        )
    latest = two_years_after(carer.support_started_on)
    if ended_on > latest:
        raise DomainError(
            f"Carer support lasts at most two years: it ended on {long_date(latest)} at the latest.",
            field="support_ended_on",
        )
    _not_in_future(ended_on, "end of support", "support_ended_on")
    _within_two_years_in_all(
        person=carer.person,
        name=carer.name,
        start=carer.support_started_on,
        end=ended_on,
        field="support_ended_on",
        carer=carer,
    )
    carer.support_ended_on = ended_on
    carer.save(update_fields=["support_ended_on"])
    audit.record(AuditAction.CHANGE, carer, actor=by, details={"support_ended_on": ended_on.isoformat()})
    return carer


@transaction.atomic
def follow_up_record(*, follow_up: FollowUp, done_on: date, outcome: str, by: User) -> FollowUp:
    """The 6 or 12 month contact after a planned discharge (SPEC 10.10); closes its caseload task."""
    _require_role(by, CASEWORK_ROLES, "Only casework staff can record a follow-up.", "done_on")
    follow_up = FollowUp.objects.select_for_update().select_related("episode").get(pk=follow_up.pk)
    if follow_up.done_on is not None:
        raise DomainError(f"This follow-up was already recorded on {long_date(follow_up.done_on)}.", field="done_on")
    discharged_on = follow_up.episode.discharged_on
    if discharged_on and done_on < discharged_on:
        raise DomainError(f"A follow-up cannot be before the discharge on {long_date(discharged_on)}.", field="done_on")
    _not_in_future(done_on, "follow-up date", "done_on")
    if not outcome.strip():
        raise DomainError(
            "Say what happened: how the person is doing, or why they could not be reached.", field="outcome"
        )
    follow_up.done_on = done_on
    follow_up.outcome = outcome.strip()
    follow_up.save(update_fields=["done_on", "outcome"])
    # The daily job's task for this follow-up (if it made one) is done with it.
    Task.objects.filter(source_key=f"follow_up:{follow_up.pk}", done_on__isnull=True).update(
        done_on=done_on, done_by=by
    )
    audit.record(AuditAction.CHANGE, follow_up, actor=by, details={"done_on": done_on.isoformat()})
    return follow_up


@transaction.atomic
def reengagement_close(*, entry: ReengagementEntry, closed_on: date, outcome: str, by: User) -> ReengagementEntry:
    """Take a person off the re-engagement list, saying why (back in treatment, declined, moved away...)."""
    _require_role(
        by, REENGAGEMENT_ROLES, "Only keyworkers and team managers can close a re-engagement entry.", "closed_on"
    )
    entry = ReengagementEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.closed_on is not None:
        raise DomainError(f"This entry was already closed on {long_date(entry.closed_on)}.", field="closed_on")
    if closed_on < entry.added_on:
        raise DomainError(
            f"The entry cannot close before it was added on {long_date(entry.added_on)}.", field="closed_on"
        )
    _not_in_future(closed_on, "closing date", "closed_on")
    if not outcome.strip():
        raise DomainError(
            "Say how the re-engagement ended (for example re-referred, declined, moved away).", field="outcome"
        )
    entry.closed_on = closed_on
    entry.outcome = outcome.strip()
    entry.save(update_fields=["closed_on", "outcome"])
    audit.record(AuditAction.CHANGE, entry, actor=by, details={"closed_on": closed_on.isoformat()})
    return entry


def can_complete_task(user: User, task: Task) -> bool:
    if task.assigned_to_id == user.pk:
        return True
    if task.assigned_to_id is None and task.team_id and user.teams.filter(pk=task.team_id).exists():
        return True  # a team's task with no one owner: any member of the team takes it
    if not user.has_role(Role.TEAM_MANAGER):
        return False
    team_ids = set(user.teams.values_list("pk", flat=True))
    if task.team_id in team_ids:
        return True
    return Allocation.objects.filter(episode_id=task.episode_id, ended_on__isnull=True, team_id__in=team_ids).exists()


@transaction.atomic
def mark_task_done(*, task: Task, by: User, on: date | None = None) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not can_complete_task(by, task):
        raise DomainError("Only the task's owner or their team manager can mark it done.", field="done_on")
    if task.done_on is not None:
        raise DomainError("This task is already done.", field="done_on")
    task.done_on = on or timezone.localdate()
    task.done_by = by
    task.save(update_fields=["done_on", "done_by"])
    audit.record(AuditAction.CHANGE, task, actor=by, details={"done_on": task.done_on.isoformat()})
    return task


def current_keyworker(episode: Episode) -> User | None:
    allocation = Allocation.objects.filter(episode=episode, ended_on__isnull=True).select_related("keyworker").first()
    return allocation.keyworker if allocation else None


# The treatment's own clocks end with the episode; anything about the person's safety or another agency
# (safeguarding, MARAC, antenatal, BBV referrals, breaches...) outlives it and is carried, never dropped.
TASKS_CLOSED_BY_DISCHARGE = (
    TaskKind.RECOVERY_PLAN_DUE,
    TaskKind.PLAN_REVIEW_DUE,
    TaskKind.MODALITY_REVIEW_DUE,
    TaskKind.MODALITY_WAIT,
    TaskKind.PRESCRIBING_WAIT,
    TaskKind.SAFE_STORAGE_PROMPT,
)


@dataclass
class TasksAtDischarge:
    """The episode's open tasks, split as the discharge will treat them (the page lists both first)."""

    closing: list[Task]
    carried: list[Task]
    # Who takes a carried task that no one person owned: the keyworker at discharge (the follow-up owner).
    carried_to: User | None


def tasks_at_discharge(episode: Episode) -> TasksAtDischarge:
    """The one rule for an episode's open tasks at discharge: treatment clocks close, the rest are carried."""
    tasks = list(
        Task.objects.filter(episode=episode, done_on__isnull=True).select_related("assigned_to", "team").order_by("pk")
    )
    return TasksAtDischarge(
        closing=[task for task in tasks if task.kind in TASKS_CLOSED_BY_DISCHARGE],
        carried=[task for task in tasks if task.kind not in TASKS_CLOSED_BY_DISCHARGE],
        carried_to=current_keyworker(episode),
    )


def _settle_tasks(episode: Episode, *, on: date, by: User) -> dict:
    settled = tasks_at_discharge(episode)
    why = f"Closed with the episode's discharge on {long_date(on)}."
    Task.objects.filter(pk__in=[task.pk for task in settled.closing]).update(done_on=on, done_by=by, closed_reason=why)
    unowned = [task.pk for task in settled.carried if task.assigned_to_id is None]
    if settled.carried_to is not None:
        Task.objects.filter(pk__in=unowned).update(assigned_to=settled.carried_to)
    return {
        "tasks_closed": [task.pk for task in settled.closing],
        "tasks_carried": [task.pk for task in settled.carried],
        "tasks_carried_to": getattr(settled.carried_to, "pk", None),
    }


def check_discharge_date(*, opened_on: date, discharged_on: date) -> None:
    """Discharge on or after the episode opened (pages and the transfer-of-care import alike)."""
    if discharged_on < opened_on:
        raise DomainError(
            f"The discharge date cannot be before the episode opened on {long_date(opened_on)}.",
            field="discharged_on",
        )


@transaction.atomic
def episode_discharge(
    *,
    episode: Episode,
    reason: DischargeReason,
    discharged_on: date,
    expected_version: int,
    by: User,
    notes: str = "",
) -> Episode:
    """Close the episode. Successful: 6 and 12 month follow-ups; unsuccessful: the re-engagement list."""
    if not episode.is_open:
        raise DomainError("This episode has already been discharged.", field="discharged_on")
    check_discharge_date(opened_on=episode.opened_on, discharged_on=discharged_on)
    if discharged_on > timezone.localdate():
        raise DomainError("The discharge date cannot be in the future.", field="discharged_on")
    last_allocated = (
        Allocation.objects.filter(episode=episode).order_by("-allocated_on").values_list("allocated_on", flat=True)
    ).first()
    if last_allocated and discharged_on < last_allocated:
        raise DomainError(
            f"The discharge date cannot be before the current allocation began on {long_date(last_allocated)}.",
            field="discharged_on",
        )
    if not reason.active:
        raise DomainError("This discharge reason is no longer in use: choose another.", field="reason")
    still_open = discharge_checks.open_modalities(episode)
    if still_open:
        raise DomainError(
            "End these modalities before discharging: " + ", ".join(still_open) + ".", field="open_modalities"
        )
    episode.discharged_on = discharged_on
    episode.discharge_reason = reason
    episode.discharge_notes = notes
    episode.discharged_by = by
    save_if_unchanged(
        episode,
        expected_version=expected_version,
        fields=["discharged_on", "discharge_reason", "discharge_notes", "discharged_by"],
        what="episode",
    )
    # Read before the allocation ends: the follow-ups and carried tasks go to this keyworker and team.
    last = Allocation.objects.filter(episode=episode, ended_on__isnull=True).first()
    tasks = {} if reason.code == CLIENT_DIED else _settle_tasks(episode, on=discharged_on, by=by)
    Allocation.objects.filter(episode=episode, ended_on__isnull=True).update(ended_on=discharged_on)
    audit.record(
        AuditAction.CHANGE,
        episode,
        actor=by,
        details={
            "discharged_on": discharged_on.isoformat(),
            "reason": reason.code,
            "outcome": reason.outcome,
            **tasks,
        },
    )
    # What the apps above do at discharge (prescribing ends the episode's open prescriptions on this day).
    discharge_checks.discharged(episode, discharged_on=discharged_on, by=by)
    if reason.outcome == DischargeOutcome.SUCCESSFUL:
        for kind, months in FOLLOW_UP_MONTHS.items():
            follow_up = FollowUp.objects.create(
                episode=episode,
                kind=kind,
                due_on=add_months(discharged_on, months),
                keyworker_id=last.keyworker_id if last else None,
                team_id=last.team_id if last else episode.team_id,
            )
            audit.record(AuditAction.CREATE, follow_up, actor=by)
    elif reason.code == CLIENT_DIED:
        _close_for_death(episode=episode, reason=reason, on=discharged_on, by=by)
    elif reason.outcome == DischargeOutcome.UNSUCCESSFUL:
        entry = ReengagementEntry.objects.create(person=episode.person, episode=episode, added_on=discharged_on)
        audit.record(AuditAction.CREATE, entry, actor=by)
    return episode


def _close_for_death(*, episode: Episode, reason: DischargeReason, on: date, by: User) -> None:
    """Nobody is to call, re-engage or chase a person who died: the episode's open tasks, the person's
    follow-ups due from earlier planned exits and any re-engagement entry close, each saying why."""
    why = f"Closed: the client died ({reason.code} {reason.label}, discharged {long_date(on)})."
    closed = {}
    tasks = Task.objects.filter(Q(episode=episode) | Q(person=episode.person, kind=TaskKind.FOLLOW_UP))
    closed["tasks"] = list(tasks.filter(done_on__isnull=True).values_list("pk", flat=True))
    Task.objects.filter(pk__in=closed["tasks"]).update(done_on=on, done_by=by, closed_reason=why)
    follow_ups = FollowUp.objects.filter(episode__person=episode.person, done_on__isnull=True)
    closed["follow_ups"] = list(follow_ups.values_list("pk", flat=True))
    follow_ups.update(done_on=on, outcome=why)
    entries = ReengagementEntry.objects.filter(person=episode.person, closed_on__isnull=True)
    closed["reengagement_entries"] = list(entries.values_list("pk", flat=True))
    entries.update(closed_on=Greatest(F("added_on"), Value(on)), outcome=why)
    audit.record(AuditAction.CHANGE, episode, actor=by, details={"closed_for_death": closed})


def planned(episode: Episode) -> bool | None:
    """Planned discharge = a successful outcome (NDTMS); None while open."""
    if episode.discharge_reason_id is None:
        return None
    return episode.discharge_reason.outcome == DischargeOutcome.SUCCESSFUL


@transaction.atomic
def create_follow_up_tasks(*, today: date | None = None) -> int:
    """A task for the owner (last keyworker) of each follow-up due within 14 days; idempotent by source_key."""
    today = today or timezone.localdate()
    due = (
        FollowUp.objects.filter(done_on__isnull=True, due_on__lte=today + timedelta(days=FOLLOW_UP_TASK_WINDOW_DAYS))
        .select_related("episode__person")
        .order_by("pk")
    )
    keys = {f"follow_up:{follow_up.pk}": follow_up for follow_up in due}
    existing = set(Task.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    tasks = []
    for key, follow_up in keys.items():
        if key in existing:
            continue
        tasks.append(
            Task(
                person_id=follow_up.episode.person_id,
                episode=follow_up.episode,
                kind=TaskKind.FOLLOW_UP,
                title=f"{follow_up.get_kind_display()}: contact {follow_up.episode.person}",
                assigned_to_id=follow_up.keyworker_id,
                team_id=follow_up.team_id or follow_up.episode.team_id,
                due_on=follow_up.due_on,
                source_key=key,
            )
        )
    # Existing keys were filtered out above; the unique source_key still guards a concurrent run.
    created = Task.objects.bulk_create(tasks)
    for task in created:
        audit.record(AuditAction.CREATE, task, actor=None, details={"source": "follow_up_job"})
    return len(created)
