"""Harm reduction rules (specification 10.2 and 10.6). Every write is audited; a broken rule raises
DomainError naming the field."""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role, TeamKind
from core.errors import DomainError, StaleEditError
from core.models import Team
from harm_reduction import conf
from harm_reduction.choices import (
    HEP_B_IMMUNE,
    BbvResult,
    BbvTestKind,
    HepBOffer,
    NaloxoneForm,
    NaloxoneRecipient,
    OutreachSetting,
    VaccinationSchedule,
)
from harm_reduction.models import (
    Attender,
    BbvTest,
    HepBCourse,
    HepBDose,
    NaloxoneSupply,
    NspIssue,
    NspSafeguardingTask,
    NspVisit,
    OutreachContact,
)
from referrals.choices import TaskKind
from referrals.models import Allocation, Episode, Referral, Task, TeamInvolvement

RETURNED_MORE_THAN_ISSUED = (
    "More items were returned than could have been issued to this attender. The visit is saved; check the count."
)


def _require_worker(actor):
    if not (actor.is_superuser or actor.has_role(Role.HARM_REDUCTION_WORKER) or actor.has_role(Role.DATA_ADMIN)):
        raise PermissionDenied("Only harm reduction workers and data admins record harm reduction work.")


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def attender_code(*, initials: str, date_of_birth: date, sex) -> str:
    """Initials (letters only, upper case, first and last), date of birth DDMMYYYY and the sex code.

    Normalised so "j.s", "J S" and "JS" on three visits give one attender.
    """
    letters = re.sub(r"[^A-Za-z]", "", initials or "").upper()
    if not letters:
        raise DomainError("Enter the attender's initials.", field="initials")
    letters = letters[0] + letters[-1] if len(letters) > 1 else letters
    return f"{letters}{date_of_birth:%d%m%Y}{sex.code}"


@transaction.atomic
def find_or_create_attender(*, actor, initials: str, date_of_birth: date, sex) -> tuple[Attender, bool]:
    _require_worker(actor)
    if date_of_birth > timezone.localdate():
        raise DomainError("Date of birth must be in the past.", field="date_of_birth")
    code = attender_code(initials=initials, date_of_birth=date_of_birth, sex=sex)
    attender, created = Attender.objects.get_or_create(
        code=code, defaults={"initials": code[:-9], "date_of_birth": date_of_birth, "sex": sex}
    )
    if created:
        audit.record(AuditAction.CREATE, attender, actor=actor, details={"code": code})
    return attender, created


@transaction.atomic
def link_attender(*, actor, attender: Attender, person) -> Attender:
    """Join an anonymous attender to a person record: from now on the person's record shows the visits."""
    if not (actor.is_superuser or actor.has_role(Role.DATA_ADMIN) or actor.has_role(Role.HARM_REDUCTION_WORKER)):
        raise PermissionDenied("Only data admins and harm reduction workers link attenders to people.")
    attender = Attender.objects.select_for_update().get(pk=attender.pk)
    if attender.person_id is not None:
        raise DomainError("This attender is already linked to a person record.", field="person")
    if person.date_of_birth != attender.date_of_birth:
        raise DomainError("The person's date of birth does not match the attender code.", field="person")
    attender.person = person
    attender.linked_on = timezone.now()
    attender.linked_by = actor
    attender.save(update_fields=["person", "linked_on", "linked_by"])
    audit.record(
        AuditAction.CHANGE,
        attender,
        actor=actor,
        details={"linked_to_person": person.pk, "visits": attender.visits.count()},
    )
    return attender


@dataclass
class VisitResult:
    visit: NspVisit
    warnings: list[str] = field(default_factory=list)
    safeguarding_task: NspSafeguardingTask | None = None


def _check_young_person(
    *, attender: Attender, visited_on: date, issues, offered: bool, reason: str
) -> tuple[int | None, int]:
    """A young person (the ESAP range, under 25 by the routing setting) is encouraged to the young people's service
    first, supplied only with a recorded reason, and given fewer needles (SPEC 10.2, domain.md step 9).
    Returns the attender's age when young (None for an adult) and the needle maximum."""
    age = age_on(attender.date_of_birth, visited_on)
    limit = conf.young_person_age_limit()
    if age >= limit:
        return None, conf.max_needles_adult()
    who = f"The attender is {age} on the visit date, under {limit}"
    if not offered:
        raise DomainError(
            f"{who}: record that the young people's service was offered first.",
            field="young_peoples_service_offered",
        )
    if issues and not reason.strip():
        raise DomainError(
            f"{who}: record why withholding equipment would be the greater risk.", field="young_person_issue_reason"
        )
    return age, conf.max_needles_young_person()


@transaction.atomic
def record_nsp_visit(
    *,
    actor,
    attender: Attender,
    site,
    visited_on: date,
    issues: list[tuple] = (),
    items_returned: int = 0,
    sharps_bins_returned: int = 0,
    drugs_injected=(),
    advice_given: str = "",
    onward_referral_offered: bool = False,
    young_peoples_service_offered: bool = False,
    young_person_issue_reason: str = "",
) -> VisitResult:
    """Record an NSP visit. `issues` is a list of (EquipmentItem, quantity).

    A young person on the visit date (under `ADULT_SERVICE_MIN_AGE`): the young people's service is offered first,
    equipment needs a reason and the needle maximum is lower; under 18 also raises a safeguarding task for the harm
    reduction team. More returned than could have been issued is a warning kept on the visit.
    """
    _require_worker(actor)
    if visited_on > timezone.localdate():
        raise DomainError("The visit date cannot be in the future.", field="visited_on")
    issues = [(item, quantity) for item, quantity in issues if quantity]
    if any(quantity < 0 for _, quantity in issues) or items_returned < 0 or sharps_bins_returned < 0:
        raise DomainError("Quantities cannot be negative.", field="issues")
    young_age, maximum = _check_young_person(
        attender=attender,
        visited_on=visited_on,
        issues=issues,
        offered=young_peoples_service_offered,
        reason=young_person_issue_reason,
    )
    needles = sum(quantity for item, quantity in issues if item.is_needle)
    if needles > maximum:
        who = f"a young person under {conf.young_person_age_limit()}" if young_age is not None else "an adult attender"
        raise DomainError(f"At most {maximum} needles can be given to {who} in one visit.", field="issues")

    # Could have been issued: everything given to this attender so far (this visit included) less what came back.
    # Lock the attender so two visits recorded at once both count each other's issues.
    list(Attender.objects.select_for_update().filter(pk=attender.pk).values_list("pk", flat=True))
    issued_before = (
        NspIssue.objects.filter(visit__attender=attender, item__is_sharps_bin=False).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    returned_before = NspVisit.objects.filter(attender=attender).aggregate(n=Sum("items_returned"))["n"] or 0
    issued_now = sum(quantity for item, quantity in issues if not item.is_sharps_bin)
    outstanding = issued_before + issued_now - returned_before
    warnings = [RETURNED_MORE_THAN_ISSUED] if items_returned > outstanding else []

    visit = NspVisit.objects.create(
        attender=attender,
        site=site,
        visited_on=visited_on,
        items_returned=items_returned,
        sharps_bins_returned=sharps_bins_returned,
        returned_more_than_issued=bool(warnings),
        advice_given=advice_given,
        onward_referral_offered=onward_referral_offered,
        young_peoples_service_offered=young_peoples_service_offered,
        young_person_issue_reason=young_person_issue_reason.strip() if young_age is not None else "",
        recorded_by=actor,
    )
    NspIssue.objects.bulk_create([NspIssue(visit=visit, item=item, quantity=quantity) for item, quantity in issues])
    if drugs_injected:
        visit.drugs_injected.set(drugs_injected)
    task = None
    if young_age is not None and young_age < conf.SAFEGUARDING_AGE:
        task = raise_safeguarding_task(actor=actor, visit=visit)
    audit.record(
        AuditAction.CREATE,
        visit,
        actor=actor,
        details={
            "issued": {item.code: quantity for item, quantity in issues},
            "returned": items_returned,
            "warnings": warnings,
            "young_person_age": young_age,
        },
    )
    return VisitResult(visit, warnings, task)


def _harm_reduction_team(actor) -> Team:
    """The recording worker's harm reduction team, else the service's first active one."""
    teams = Team.objects.filter(kind=TeamKind.HARM_REDUCTION, active=True)
    team = teams.filter(members=actor).order_by("pk").first() or teams.order_by("pk").first()
    if team is None:
        raise DomainError(
            "There is no active harm reduction team to take the safeguarding task for this attender under 18. "
            "Ask a data admin to set up the harm reduction team.",
            field="young_peoples_service_offered",
        )
    return team


@transaction.atomic
def raise_safeguarding_task(*, actor, visit: NspVisit) -> NspSafeguardingTask:
    """The team's safeguarding task for a visit by an attender under 18, due the day it is raised. Idempotent per
    visit: raising it again returns the same task."""
    _require_worker(actor)
    age = age_on(visit.attender.date_of_birth, visit.visited_on)
    if age >= conf.SAFEGUARDING_AGE:
        raise DomainError(f"The attender was {age} at this visit: no safeguarding task is raised.", field="visit")
    task, created = NspSafeguardingTask.objects.get_or_create(
        visit=visit, defaults={"team": _harm_reduction_team(actor), "due_on": timezone.localdate()}
    )
    if created:
        audit.record(
            AuditAction.CREATE, task, actor=actor, details={"visit": visit.pk, "age": age, "team": task.team_id}
        )
    return task


@transaction.atomic
def safeguarding_task_done(*, actor, task: NspSafeguardingTask, done_on: date | None = None) -> NspSafeguardingTask:
    """A member of the owning team (or a data admin) marks the follow-up done."""
    _require_worker(actor)
    task = NspSafeguardingTask.objects.select_for_update().get(pk=task.pk)
    if not (actor.is_superuser or actor.has_role(Role.DATA_ADMIN) or actor.teams.filter(pk=task.team_id).exists()):
        raise DomainError(
            "Only a member of the team that owns this safeguarding task can mark it done.", field="done_on"
        )
    if task.done_on is not None:
        raise DomainError("This safeguarding task is already done.", field="done_on")
    task.done_on = done_on or timezone.localdate()
    task.done_by = actor
    task.save(update_fields=["done_on", "done_by"])
    audit.record(AuditAction.CHANGE, task, actor=actor, details={"done_on": task.done_on.isoformat()})
    return task


def _open_episode(person):
    return Episode.objects.filter(person=person, discharged_on__isnull=True).first()


def _not_in_future(value: date, field: str, what: str) -> None:
    if value > timezone.localdate():
        raise DomainError(f"{what} cannot be in the future.", field=field)


def _check_version(instance, expected_version: int | None, what: str) -> None:
    """Stale-edit protection for rows already locked with select_for_update: the edit names the version it
    started from (None only for callers that read and write in one go, such as the demo)."""
    if expected_version is not None and instance.version != expected_version:
        raise StaleEditError(what)


def _check_answer_date(answered_on: date, offered_on: date, field: str) -> None:
    """The returns count an answer from its date (domain.md 6a), so it must be a real one: not before the offer,
    not in the future."""
    _not_in_future(answered_on, field, "The date of the answer")
    if answered_on < offered_on:
        raise DomainError("The answer cannot come before the offer was made.", field=field)


def _check_outcome(offer: str, schedule: str, offered_on: date, outcome_on: date) -> str:
    if offer == HepBOffer.ACCEPTED and schedule not in VaccinationSchedule.values:
        raise DomainError("Choose the accelerated or the standard schedule.", field="schedule")
    _check_answer_date(outcome_on, offered_on, "outcome_on")
    return schedule if offer == HepBOffer.ACCEPTED else ""


@transaction.atomic
def record_hep_b_offer(
    *, actor, person, offer: str, offered_on: date, schedule: str = "", outcome_on: date | None = None
) -> HepBCourse:
    """An offer of hepatitis B vaccination: still waiting for an answer (`offered`), or answered at once (the
    answer is dated `outcome_on`, the offer date when not given)."""
    _require_worker(actor)
    if offer not in HepBOffer.values:
        raise DomainError("Choose what happened to the hepatitis B offer.", field="offer")
    _not_in_future(offered_on, "offered_on", "The offer date")
    if offer == HepBOffer.OFFERED:
        schedule, outcome_on = "", None
    else:
        outcome_on = outcome_on or offered_on
        schedule = _check_outcome(offer, schedule, offered_on, outcome_on)
    course = HepBCourse.objects.create(
        person=person,
        episode=_open_episode(person),
        offer=offer,
        offered_on=offered_on,
        outcome_on=outcome_on,
        schedule=schedule,
        recorded_by=actor,
    )
    audit.record(AuditAction.CREATE, course, actor=actor, details={"offer": offer, "schedule": schedule})
    return course


@transaction.atomic
def record_hep_b_outcome(
    *, actor, course: HepBCourse, offer: str, outcome_on: date, schedule: str = "", expected_version: int | None
) -> HepBCourse:
    """The person's answer to an offer that was waiting for one: accepted (with a schedule), refused, or not
    appropriate because already immunised or immune after infection. An answered offer is not answered again: a
    new offer is a new course."""
    _require_worker(actor)
    course = HepBCourse.objects.select_for_update().get(pk=course.pk)
    _check_version(course, expected_version, "hepatitis B vaccination")
    if course.offer != HepBOffer.OFFERED:
        raise DomainError(
            f"This offer was already answered ({course.get_offer_display().lower()}). Record a new offer instead.",
            field="offer",
        )
    if offer not in (HepBOffer.ACCEPTED, HepBOffer.REFUSED, *HEP_B_IMMUNE):
        raise DomainError("Choose accepted, refused, already immunised or immune after infection.", field="offer")
    course.schedule = _check_outcome(offer, schedule, course.offered_on, outcome_on)
    course.offer, course.outcome_on = offer, outcome_on
    course.version += 1
    course.save(update_fields=["offer", "outcome_on", "schedule", "version"])
    audit.record(AuditAction.CHANGE, course, actor=actor, details={"offer": offer, "schedule": course.schedule})
    return course


def doses_in_course(schedule: str) -> int:
    return 4 if schedule == VaccinationSchedule.ACCELERATED else 3


def next_dose_due(schedule: str, first_dose_on: date, doses_given: int) -> date | None:
    """Accelerated: 0, 7, 21 days and a booster at 12 months; standard: 0, 1 and 6 months from the first dose."""
    if schedule == VaccinationSchedule.ACCELERATED:
        due = [first_dose_on + timedelta(days=7), first_dose_on + timedelta(days=21), add_months(first_dose_on, 12)]
    else:
        due = [add_months(first_dose_on, 1), add_months(first_dose_on, 6)]
    index = doses_given - 1
    return due[index] if 0 <= index < len(due) else None


@transaction.atomic
def record_hep_b_dose(
    *, actor, course: HepBCourse, dose_number: int, given_on: date, expected_version: int | None = None
) -> HepBDose:
    _require_worker(actor)
    course = HepBCourse.objects.select_for_update().get(pk=course.pk)
    _check_version(course, expected_version, "hepatitis B vaccination")
    if course.offer != HepBOffer.ACCEPTED:
        raise DomainError("Doses can only be recorded once the vaccination has been accepted.", field="dose_number")
    doses = list(course.doses.all())
    expected = len(doses) + 1
    if expected > doses_in_course(course.schedule):
        raise DomainError("This course is already complete.", field="dose_number")
    if dose_number != expected:
        raise DomainError(f"The next dose in this course is dose {expected}.", field="dose_number")
    if given_on > timezone.localdate():
        raise DomainError("The dose date cannot be in the future.", field="given_on")
    if doses and given_on < doses[-1].given_on:
        raise DomainError(
            f"Dose {dose_number} cannot be before dose {doses[-1].dose_number} ({doses[-1].given_on:%d/%m/%Y}).",
            field="given_on",
        )
    dose = HepBDose.objects.create(course=course, dose_number=dose_number, given_on=given_on)
    first = doses[0].given_on if doses else given_on
    course.course_complete = dose_number == doses_in_course(course.schedule)
    course.next_dose_due = None if course.course_complete else next_dose_due(course.schedule, first, dose_number)
    course.completed_on = given_on if course.course_complete else None
    course.version += 1
    course.save(update_fields=["course_complete", "completed_on", "next_dose_due", "version"])
    audit.record(AuditAction.CREATE, dose, actor=actor, details={"course": course.pk, "dose": dose_number})
    return dose


@transaction.atomic
def record_bbv_offer(
    *, actor, person, kind: str, offered_on: date, accepted: bool | None, answered_on: date | None = None
) -> BbvTest:
    """A test offer: still waiting for an answer (`accepted` None), or answered at once (the answer is dated
    `answered_on`, the offer date when not given)."""
    _require_worker(actor)
    if kind not in BbvTestKind.values:
        raise DomainError("Choose which test was offered.", field="kind")
    _not_in_future(offered_on, "offered_on", "The offer date")
    if accepted is None:
        answered_on = None
    else:
        answered_on = answered_on or offered_on
        _check_answer_date(answered_on, offered_on, "answered_on")
    test = BbvTest.objects.create(
        person=person,
        episode=_open_episode(person),
        kind=kind,
        offered_on=offered_on,
        accepted=accepted,
        answered_on=answered_on,
        recorded_by=actor,
    )
    audit.record(AuditAction.CREATE, test, actor=actor, details={"kind": kind, "accepted": accepted})
    return test


@transaction.atomic
def record_bbv_answer(
    *, actor, test: BbvTest, accepted: bool | None, answered_on: date, expected_version: int | None
) -> BbvTest:
    """The person's answer to a test offer that was waiting for one, dated `answered_on`. An answered offer is not
    answered again: a new offer is a new test."""
    _require_worker(actor)
    test = BbvTest.objects.select_for_update().get(pk=test.pk)
    _check_version(test, expected_version, "test")
    if test.accepted is not None:
        answer = "accepted" if test.accepted else "refused"
        raise DomainError(f"This offer was already {answer}. Record a new offer instead.", field="accepted")
    if accepted is None:
        raise DomainError("Choose whether the person accepted the test.", field="accepted")
    _check_answer_date(answered_on, test.offered_on, "answered_on")
    test.accepted, test.answered_on = accepted, answered_on
    test.version += 1
    test.save(update_fields=["accepted", "answered_on", "version"])
    audit.record(
        AuditAction.CHANGE, test, actor=actor, details={"accepted": accepted, "answered_on": answered_on.isoformat()}
    )
    return test


@transaction.atomic
def record_bbv_result(
    *,
    actor,
    test: BbvTest,
    tested_on: date | None,
    result: str,
    result_on: date,
    expected_version: int | None = None,
) -> BbvTest:
    _require_worker(actor)
    test = BbvTest.objects.select_for_update().get(pk=test.pk)
    # A first result may come without a version (nothing to be stale against); changing a result needs the
    # version it was read at, so a second write from an old read is refused rather than overwriting it.
    if test.result and expected_version is None:
        raise DomainError("This test already has a result: send the version you read to change it.", field="version")
    _check_version(test, expected_version, "test")
    if test.accepted is not True:
        raise DomainError("A result needs a test: the test was not accepted.", field="result")
    if tested_on is None:
        raise DomainError("A result needs a test: enter the date the test was taken.", field="tested_on")
    if result not in BbvResult.values:
        raise DomainError("Choose the result.", field="result")
    if tested_on < test.offered_on:
        raise DomainError("The test cannot be taken before it was offered.", field="tested_on")
    if result_on < tested_on:
        raise DomainError("The result cannot come before the test was taken.", field="result_on")
    _not_in_future(result_on, "result_on", "The result date")
    test.tested_on, test.result, test.result_on = tested_on, result, result_on
    test.version += 1
    test.save(update_fields=["tested_on", "result", "result_on", "version"])
    audit.record(AuditAction.CHANGE, test, actor=actor, details={"result": result})
    return test


# Hepatitis B and C go to hepatology, HIV to the HIV clinic (SPEC 10.2: nurse-led referrals for every positive result).
REFERRAL_KIND = {
    BbvTestKind.HEP_B_SURFACE_ANTIGEN: TaskKind.HEPATOLOGY_REFERRAL,
    BbvTestKind.HEP_C_ANTIBODY: TaskKind.HEPATOLOGY_REFERRAL,
    BbvTestKind.HEP_C_PCR: TaskKind.HEPATOLOGY_REFERRAL,
    BbvTestKind.HIV: TaskKind.HIV_REFERRAL,
}
REFERRAL_SERVICE = {TaskKind.HEPATOLOGY_REFERRAL: "Hepatology", TaskKind.HIV_REFERRAL: "HIV clinic"}
REFERRAL_DUE_DAYS = 7


@dataclass(frozen=True)
class TaskOwner:
    user: object | None
    team: Team
    why: str


def referral_task_owner(person) -> TaskOwner:
    """Who acts on a referral for this person: the keyworker of their open episode; else an active manager of
    their team (the open episode's, else the latest referral's); else the harm reduction team. Never nobody:
    a positive result must reach someone even when the person is not in treatment."""
    allocation = (
        Allocation.objects.filter(
            episode__person=person,
            episode__discharged_on__isnull=True,
            ended_on__isnull=True,
            keyworker__is_active=True,
        )
        .select_related("keyworker", "team")
        .first()
    )
    if allocation is not None:
        return TaskOwner(allocation.keyworker, allocation.team, "keyworker")
    episode = _open_episode(person)
    referral = Referral.objects.filter(person=person).order_by("-received_at", "-pk").first()
    team = episode.team if episode else referral.team if referral else None
    if team is not None:
        manager = team.members.filter(is_active=True, groups__name=Role.TEAM_MANAGER.label).order_by("pk").first()
        if manager is not None:
            return TaskOwner(manager, team, "team manager")
    harm_reduction = Team.objects.filter(kind=TeamKind.HARM_REDUCTION, active=True).order_by("pk").first()
    if harm_reduction is None:
        raise DomainError(
            "This person has no keyworker or team manager and there is no active harm reduction team to own the "
            "referral. Ask a data admin to set up the harm reduction team.",
            field="referral_consent",
        )
    # The team's workers reach the person through the team, as they reach everyone referred to them.
    TeamInvolvement.objects.get_or_create(
        person=person, team=harm_reduction, defaults={"since": timezone.localdate(), "reason": "BBV referral"}
    )
    return TaskOwner(None, harm_reduction, "harm reduction team")


@transaction.atomic
def refer_positive_result(*, actor, test: BbvTest, consent: bool | None, expected_version: int | None = None) -> Task:
    """A positive hepatitis B, hepatitis C or HIV result becomes a hepatology or HIV clinic referral task, with the
    person's consent, owned by `referral_task_owner`. Referring again returns the same task."""
    _require_worker(actor)
    test = BbvTest.objects.select_for_update().select_related("person").get(pk=test.pk)
    _check_version(test, expected_version, "test")
    if test.result != BbvResult.POSITIVE:
        raise DomainError("Only a positive result is referred.", field="result")
    if test.kind not in REFERRAL_KIND:
        raise DomainError("Refer other screening results outside this service.", field="kind")
    if consent is not True:
        raise DomainError("Record the person's consent to the referral before referring.", field="referral_consent")
    kind = REFERRAL_KIND[test.kind]
    source_key = f"bbv-test-{test.pk}-referral"
    task = Task.objects.filter(source_key=source_key).first()
    if task is None:
        owner = referral_task_owner(test.person)
        task = Task.objects.create(
            source_key=source_key,
            person=test.person,
            episode=_open_episode(test.person),
            kind=kind,
            title=f"{REFERRAL_SERVICE[kind]} referral: positive {test.get_kind_display()} test",
            assigned_to=owner.user,
            team=owner.team,
            due_on=timezone.localdate() + timedelta(days=REFERRAL_DUE_DAYS),
        )
        audit.record(
            AuditAction.CREATE,
            task,
            actor=actor,
            details={
                "bbv_test": test.pk,
                "consent": True,
                "owner": owner.why,
                "assigned_to": owner.user.pk if owner.user else None,
                "team": owner.team.pk,
            },
        )
    test.referral_consent, test.referral_task = True, task
    test.version += 1
    test.save(update_fields=["referral_consent", "referral_task", "version"])
    return task


@transaction.atomic
def record_naloxone(
    *,
    actor,
    supplied_on: date,
    form: str,
    recipient: str,
    training_given: bool,
    quantity: int = 1,
    person=None,
    attender=None,
) -> NaloxoneSupply:
    _require_worker(actor)
    if person is None and attender is None:
        raise DomainError("Choose the person or attender the naloxone was supplied for.", field="person")
    if quantity < 1:
        raise DomainError("Enter how many kits were supplied.", field="quantity")
    if form not in NaloxoneForm.values:
        raise DomainError("Choose nasal or injectable.", field="form")
    if recipient not in NaloxoneRecipient.values:
        raise DomainError("Choose who the naloxone was given to.", field="recipient")
    _not_in_future(supplied_on, "supplied_on", "The supply date")
    supply = NaloxoneSupply.objects.create(
        person=person or (attender.person if attender else None),
        attender=attender,
        supplied_on=supplied_on,
        form=form,
        recipient=recipient,
        training_given=training_given,
        quantity=quantity,
        recorded_by=actor,
    )
    audit.record(AuditAction.CREATE, supply, actor=actor, details={"form": form, "recipient": recipient})
    return supply


@transaction.atomic
def record_outreach(*, actor, setting: str, contacted_on: date, person=None, description: str = "", notes: str = ""):
    _require_worker(actor)
    if setting not in OutreachSetting.values:
        raise DomainError("Choose where the contact happened.", field="setting")
    _not_in_future(contacted_on, "contacted_on", "The contact date")
    if person is None and not description.strip():
        raise DomainError("Describe who was contacted when there is no person record.", field="description")
    contact = OutreachContact.objects.create(
        setting=setting,
        contacted_on=contacted_on,
        person=person,
        description=description,
        notes=notes,
        recorded_by=actor,
    )
    audit.record(AuditAction.CREATE, contact, actor=actor, details={"setting": setting})
    return contact
