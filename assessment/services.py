"""Rules of the comprehensive assessment and the TOP (issue 4; specification 10.1, 10.17-10.19, 11).

Every write goes through a function here: it validates, raises `DomainError` naming the field, and audits.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.choices import Answer, DomesticAbuseRisk, Pregnancy
from assessment.models import (
    TOP_RATINGS,
    TOP_WEEKLY_ITEMS,
    TOP_YES_NO,
    Assessment,
    AssessmentSubstance,
    Top,
)
from core import audit
from core.calendar import add_working_days
from core.choices import AuditAction, Role
from core.concurrency import save_if_unchanged
from core.dates import long_date
from core.errors import DomainError
from core.models import TreatmentStage, User
from referrals.choices import TaskKind
from referrals.models import Allocation, Episode, Task

# Fields of each section, saved on their own. Substances (ranked rows) are saved with the "drugs" section.
SECTIONS = {
    "drugs": ["injecting_status", "sharing"],
    "alcohol": ["alcohol_days", "alcohol_days_declined", "alcohol_units", "alcohol_units_declined"],
    "health": ["physical_health", "health_assessment_on", "mental_health", "dual_diagnosis"],
    "housing": ["accommodation_need", "employment_status"],
    "family": ["children_count", "children_living_with", "parental_status", "pregnant"],
    "risk": ["criminal_justice_status", "domestic_abuse_risk", "safeguarding_concern", "safeguarding_notes"],
    "need": ["level_of_need", "personal_budget_amount", "personal_budget_uses"],
}
SECTION_TITLES = {
    "drugs": "Substances and injecting",
    "alcohol": "Alcohol",
    "health": "Physical and mental health",
    "housing": "Housing and employment",
    "family": "Children and pregnancy",
    "risk": "Criminal justice, domestic abuse and safeguarding",
    "need": "Level of need and personal budget",
}
SUBSTANCE_FIELDS = ["substance", "route", "days_used", "age_first_use", "age_first_use_declined", "amount"]
MAX_SUBSTANCES = 3
REVIEW_TOP_INTERVAL = datetime.timedelta(days=182)  # 26 weeks, counted in days so 29 February needs no rule
START, REVIEW, EXIT, POST_EXIT = "S", "R", "E", "P"


def _check_fields(instance, fields):
    """Run the model's own validators (ranges such as 0-28 days) on the named fields only."""
    exclude = [f.name for f in instance._meta.fields if f.name not in fields]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = instance._meta.get_field(field).verbose_name
        raise DomainError(f"{str(label).capitalize()}: {messages[0]}", field=field) from exc


def can_edit(user, episode) -> bool:
    """Assessors, keyworkers and managers who can see the episode may write its assessment and TOPs."""
    return user.has_role(Role.ASSESSOR, Role.KEYWORKER, Role.TEAM_MANAGER, Role.DATA_ADMIN)


def _require_editor(user, episode):
    if not can_edit(user, episode):
        raise DomainError("Only assessors, keyworkers and team managers can record assessments and TOPs.")


@transaction.atomic
def start_assessment(*, episode, user) -> Assessment:
    """The open assessment of the episode, started now if there is none (one open assessment per episode)."""
    _require_editor(user, episode)
    if episode.discharged_on:
        raise DomainError("This episode is closed; an assessment cannot be started.", field="episode")
    # Lock the episode so two people starting at once get the same assessment rather than a constraint error.
    Episode.objects.select_for_update().filter(pk=episode.pk).first()
    existing = Assessment.objects.filter(episode=episode, completed_on__isnull=True).first()
    if existing:
        return existing
    assessment = Assessment.objects.create(episode=episode, started_on=timezone.localdate(), started_by=user)
    audit.record(AuditAction.CREATE, assessment, actor=user)
    return assessment


@transaction.atomic
def save_section(*, assessment, user, section: str, data: dict, expected_version: int, substances=None) -> Assessment:
    """Save one section. `substances` (drugs section only): up to three dicts in rank order."""
    _require_editor(user, assessment.episode)
    if section not in SECTIONS:
        raise DomainError(f"Unknown section {section!r}.", field="section")
    if assessment.completed_on:
        raise DomainError("This assessment is complete and can no longer be changed.", field="section")
    fields = SECTIONS[section]
    for name in fields:
        if name in data:
            setattr(assessment, name, data[name])
    _check_fields(assessment, fields)
    rows = _clean_substances(assessment, substances) if section == "drugs" and substances is not None else None
    save_if_unchanged(assessment, expected_version=expected_version, fields=fields, what="assessment")
    if rows is not None:
        assessment.substances.all().delete()
        AssessmentSubstance.objects.bulk_create(rows)
    audit.record(AuditAction.CHANGE, assessment, actor=user, details={"section": section})
    apply_risk_actions(assessment=assessment, actor=user)
    return assessment


def _earlier_row_title(index: int) -> str:
    """An earlier row named as the form labels it (row 1 is the main substance, DRUG1)."""
    return "the main substance (DRUG1)" if index == 0 else f"substance {index + 1} (DRUG{index + 1})"


def _clean_substances(assessment, substances):
    rows = []
    # A substance fills one rank: DRUG1-3 are three different problem substances, and a repeat would also
    # count the same drug twice in the substance group (domain.md 4).
    seen: dict[int, int] = {}
    for index, row in enumerate(substances):
        if not row or not row.get("substance"):
            continue
        rank = len(rows) + 1
        if rank > MAX_SUBSTANCES:
            raise DomainError("Record at most three substances.", field="substances")
        substance = row["substance"]
        if substance.pk in seen:
            raise DomainError(
                f"Substance {index + 1} (DRUG{index + 1}): {substance} is already recorded as "
                f"{_earlier_row_title(seen[substance.pk])}. Choose a different substance or leave this one empty.",
                field=f"substance_{index + 1}",
            )
        seen[substance.pk] = index
        item = AssessmentSubstance(assessment=assessment, rank=rank, **{k: row.get(k) for k in SUBSTANCE_FIELDS})
        item.amount = item.amount or ""
        item.age_first_use_declined = bool(item.age_first_use_declined)
        try:
            item.clean_fields(exclude=["assessment"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            label = AssessmentSubstance._meta.get_field(field).verbose_name
            raise DomainError(f"Substance {index + 1}, {label}: {messages[0]}", field=f"{field}_{index + 1}") from exc
        rows.append(item)
    return rows


def missing_fields(assessment) -> list[str]:
    """Names of the fields the return and the KPIs need that are neither filled nor declined / not known."""
    a = assessment
    missing = []
    first = next((s for s in a.substances.all() if s.rank == 1), None)
    if first is None:
        missing.append("main substance (DRUG1)")
    else:
        if first.route_id is None:
            missing.append("route of the main substance (ROUTE)")
        if first.age_first_use is None and not first.age_first_use_declined:
            missing.append("age of first use of the main substance (DRUG1AGE)")
    checks = [
        (a.injecting_status_id, "injecting status (INJSTAT)"),
        (a.alcohol_days is not None or a.alcohol_days_declined, "alcohol drinking days (ALCDDAYS)"),
        (
            a.alcohol_units is not None or a.alcohol_units_declined or a.alcohol_days == 0,
            "alcohol units (ALCUNITS)",
        ),
        (a.dual_diagnosis_id, "dual diagnosis (DUALDIAG)"),
        (a.accommodation_need_id, "accommodation need (ACCMNEED)"),
        (a.employment_status_id, "employment, education or training (EMPSTAT)"),
        (a.children_living_with_id, "children living with the person (CHILDWTH)"),
        (a.parental_status_id, "parental status (PRNTSTAT)"),
        (a.pregnant, "pregnancy (PREGNANT)"),
        (a.domestic_abuse_risk, "domestic abuse risk level"),
        (a.safeguarding_concern, "safeguarding concern"),
        (a.level_of_need, "level of need"),
    ]
    missing += [label for ok, label in checks if not ok]
    return missing


def check_completion_date(*, opened_on: datetime.date, completed_on: datetime.date) -> None:
    """An assessment completes on or after its episode opened (pages and the transfer-of-care import alike)."""
    if completed_on < opened_on:
        raise DomainError("The completion date cannot be before the episode opened.", field="completed_on")


@transaction.atomic
def complete_assessment(*, assessment, user, expected_version: int, on: datetime.date | None = None) -> Assessment:
    """Complete the assessment: every required field filled or explicitly declined / not known."""
    _require_editor(user, assessment.episode)
    if assessment.completed_on:
        raise DomainError("This assessment is already complete.", field="completed_on")
    on = on or timezone.localdate()
    check_completion_date(opened_on=assessment.episode.opened_on, completed_on=on)
    if on > timezone.localdate():
        raise DomainError("The completion date cannot be in the future.", field="completed_on")
    missing = missing_fields(assessment)
    if missing:
        raise DomainError(
            "Fill in or mark as declined / not known before completing: " + ", ".join(missing) + ".",
            field="completed_on",
            code="incomplete",
        )
    assessment.completed_on = on
    assessment.completed_by = user
    save_if_unchanged(
        assessment, expected_version=expected_version, fields=["completed_on", "completed_by"], what="assessment"
    )
    audit.record(AuditAction.CHANGE, assessment, actor=user, details={"completed_on": on.isoformat()})
    return assessment


# Risk actions ------------------------------------------------------------------------------------------------


def _current_allocation(episode):
    return Allocation.objects.filter(episode=episode, ended_on__isnull=True).select_related("keyworker").first()


def _team_manager(team):
    return User.objects.filter(teams=team, groups__name=Role.TEAM_MANAGER.label, is_active=True).order_by("id").first()


def _raise_task(assessment, *, key, kind, title, actor, assigned_to=None, team=None, due_in_working_days=0):
    episode = assessment.episode
    if assigned_to is None and team is None:
        allocation = _current_allocation(episode)
        if allocation:
            assigned_to = allocation.keyworker
        else:
            team = episode.team
    today = timezone.localdate()
    task, created = Task.objects.get_or_create(
        source_key=f"assessment:{assessment.pk}:{key}",
        defaults={
            "person_id": episode.person_id,
            "episode": episode,
            "kind": kind,
            "title": title,
            "assigned_to": assigned_to,
            "team": team,
            "due_on": add_working_days(today, due_in_working_days) if due_in_working_days else today,
        },
    )
    if created:
        audit.record(AuditAction.CREATE, task, actor=actor, details={"source": "assessment risk action"})
    return task


def apply_risk_actions(*, assessment, actor) -> list[Task]:
    """Raise the tasks that cannot be missed; safe to run after every save (source_key makes it idempotent)."""
    a = assessment
    tasks = []
    if a.domestic_abuse_risk == DomesticAbuseRisk.HIGH:
        tasks.append(
            _raise_task(
                a,
                key="marac",
                kind=TaskKind.MARAC_REFERRAL,
                title="Refer to MARAC (high domestic abuse risk)",
                actor=actor,
            )
        )
    if a.children_living_with_id and a.children_living_with.children_in_household:
        tasks.append(
            _raise_task(
                a,
                key="childrens_centre",
                kind=TaskKind.CHILDRENS_CENTRE_OFFER,
                title="Offer a Children's Centre referral",
                actor=actor,
                due_in_working_days=5,
            )
        )
        tasks.append(
            _raise_task(
                a,
                key="safe_storage",
                kind=TaskKind.SAFE_STORAGE_PROMPT,
                title="Children in the household: agree safe storage of any prescribed medication",
                actor=actor,
                due_in_working_days=5,
            )
        )
    if a.pregnant == Pregnancy.YES:
        tasks.append(
            _raise_task(
                a,
                key="antenatal",
                kind=TaskKind.ANTENATAL_LINK,
                title="Link with antenatal care",
                actor=actor,
                due_in_working_days=5,
            )
        )
    if a.safeguarding_concern == Answer.YES:
        team = a.episode.team
        manager = _team_manager(team)
        tasks.append(
            _raise_task(
                a,
                key="safeguarding",
                kind=TaskKind.SAFEGUARDING,
                title="Safeguarding concern raised at assessment: review",
                actor=actor,
                assigned_to=manager,
                team=None if manager else team,
            )
        )
    return tasks


# TOP ---------------------------------------------------------------------------------------------------------

TOP_INPUT_FIELDS = (
    [f"{prefix}_week{week}" for prefix, _n, _l in TOP_WEEKLY_ITEMS for week in range(1, 5)]
    + [prefix for prefix, _n, _l in TOP_RATINGS]
    + [prefix for prefix, _n, _l in TOP_YES_NO]
)


def check_top_date(
    *, opened_on: datetime.date, discharged_on: datetime.date | None, stage_code: str, top_date: datetime.date
) -> None:
    """A TOP falls within its episode; only a post-exit TOP comes after the discharge."""
    if top_date < opened_on:
        raise DomainError(
            f"The TOP date cannot be before the episode opened ({long_date(opened_on)}).", field="top_date"
        )
    if discharged_on and top_date > discharged_on and stage_code != POST_EXIT:
        raise DomainError(
            f"The TOP date cannot be after the episode was discharged ({long_date(discharged_on)}).",
            field="top_date",
        )


@transaction.atomic
def record_top(*, episode, user, stage, top_date: datetime.date, values: dict) -> Top:
    """Record a TOP. `values` holds the weekly columns (0-7), the ratings (0-20) and the yes/no items."""
    _require_editor(user, episode)
    if isinstance(stage, str):
        stage = TreatmentStage.objects.filter(code=stage).first()
        if stage is None:
            raise DomainError("Choose the TOP stage.", field="stage")
    if top_date is None:
        raise DomainError("Enter the TOP date.", field="top_date")
    check_top_date(
        opened_on=episode.opened_on, discharged_on=episode.discharged_on, stage_code=stage.code, top_date=top_date
    )
    if top_date > timezone.localdate():
        raise DomainError("The TOP date cannot be in the future.", field="top_date")
    # Lock the episode so two start TOPs saved at once cannot both pass the check.
    Episode.objects.select_for_update().filter(pk=episode.pk).first()
    existing = list(Top.objects.filter(episode=episode).select_related("stage"))
    if stage.code == START and any(t.stage.code == START for t in existing):
        raise DomainError("This episode already has a start TOP; record a review TOP instead.", field="stage")
    top = Top(episode=episode, stage=stage, top_date=top_date, recorded_by=user)
    for name in TOP_INPUT_FIELDS:
        if name in values and values[name] is not None:
            setattr(top, name, values[name])
    for prefix, _ndtms, label in TOP_RATINGS:
        if values.get(prefix) is None:
            raise DomainError(f"{label}: enter a rating from 0 to 20.", field=prefix)
    _check_fields(top, TOP_INPUT_FIELDS)
    top.compute_totals()
    if stage.code == START:
        top.assessment = Assessment.objects.filter(episode=episode).order_by("completed_on", "-id").first()
    top.save()
    audit.record(AuditAction.CREATE, top, actor=user, details={"stage": stage.code})
    return top


def review_top_due_on(episode) -> datetime.date | None:
    """When the next review TOP is due: 182 days (26 weeks) after the latest TOP, while the episode is open.

    Counted in days, so a TOP on 29 February 2024 makes the review due on 29 August 2024 and there is no
    month-end rule to argue about. No TOP yet or a closed episode: nothing is due (the start TOP belongs to
    the assessment).
    """
    if episode.discharged_on:
        return None
    latest = Top.objects.filter(episode=episode).order_by("-top_date").values_list("top_date", flat=True).first()
    return review_top_due_after(latest)


def review_top_due_after(latest_top_date: datetime.date | None) -> datetime.date | None:
    """The review due date for an open episode whose latest TOP is on `latest_top_date` (None: no TOP yet)."""
    return latest_top_date + REVIEW_TOP_INTERVAL if latest_top_date else None


def exit_top_prompt(episode) -> bool:
    """True when an exit TOP is still missing: the discharge page asks for one before a planned discharge.

    An episode with a start TOP and no exit TOP needs one; one without any TOP has nothing to compare, so no
    prompt.
    """
    codes = set(Top.objects.filter(episode=episode).values_list("stage__code", flat=True))
    return START in codes and EXIT not in codes


def outcome_pair(person_tops):
    """(start, latest review) TOPs of the person's most recent episode that has a start TOP."""
    start = None
    for top in sorted(person_tops, key=lambda t: (t.top_date, t.pk), reverse=True):
        if top.stage.code == START:
            start = top
            break
    if start is None:
        return None, None
    reviews = [t for t in person_tops if t.episode_id == start.episode_id and t.stage.code in (REVIEW, EXIT)]
    latest = max(reviews, key=lambda t: (t.top_date, t.pk)) if reviews else None
    return start, latest
