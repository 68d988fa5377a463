"""The prescribing rules (specification 10.3-10.5). Every write goes through here: it checks the rule, writes,
and audits. Views and the API only translate input and show `DomainError` messages."""

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.concurrency import save_if_unchanged
from core.dates import date_time, long_date
from core.errors import DomainError
from prescribing.choices import (
    CustodyStep,
    DetoxSetting,
    FundingRoute,
    Regime,
    ResidentialKind,
    SafeStorageOutcome,
    SampleType,
    SharedCareEndReason,
    TestResult,
)
from prescribing.models import (
    ClinicalAssessment,
    CustodyEvent,
    DetoxPlan,
    DetoxStep,
    DrugTest,
    DrugTestResult,
    PlannedStep,
    Prescription,
    ResidentialReferral,
    SafeStorage,
    SharedCareTransfer,
)
from prescribing.waits import MAY_BE_WAITING, PHARMACOLOGICAL, open_clocks
from recovery_plans.models import Modality, PlanVersion, VersionStatus
from recovery_plans.services.modalities import start_modality
from referrals.choices import TaskKind
from referrals.models import Allocation, Person, Task

logger = logging.getLogger(__name__)

# A detox plan's setting and the modality intervention it delivers.
DETOX_INTERVENTIONS = {
    DetoxSetting.COMMUNITY: "CDETOX",
    DetoxSetting.HOME: "HDETOX",
    DetoxSetting.DAY: "DDETOX",
}


def _require(actor, permission: str, *, role: str | None = None, what: str) -> None:
    """Refusals are PermissionDenied, so pages and the API answer 403 alike."""
    if (role is not None and not actor.has_role(role)) or not actor.has_perm(permission):
        raise PermissionDenied(f"Only a prescriber can {what}." if role == Role.PRESCRIBER else f"You cannot {what}.")


def _positive_dose(value, field: str = "dose") -> Decimal:
    try:
        dose = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        dose = None
    if dose is None or not dose.is_finite() or dose <= 0:
        raise DomainError("Enter a dose that is a number greater than 0.", field=field)
    if dose != dose.quantize(Decimal("0.01")) or dose >= Decimal("1000000"):
        raise DomainError("Enter a dose with no more than 2 decimal places, below 1,000,000.", field=field)
    return dose


def _check_open_episode(episode) -> None:
    if episode.discharged_on is not None:
        raise DomainError("This episode has been discharged. Prescribe within an open episode.", field="episode")


def _check_modality(modality, *, episode, intervention: str | None = None) -> None:
    """The modality a record delivers: one of this episode's, still open, and of the right kind."""
    if modality is None:
        return
    if modality.episode_id != episode.pk:
        raise DomainError("Choose a modality of this episode.", field="modality")
    if modality.ended_on is not None:
        raise DomainError(
            f"{modality} ended on {long_date(modality.ended_on)}. Choose an open modality.", field="modality"
        )
    if modality.modality_type.code != PHARMACOLOGICAL:
        raise DomainError(
            f"{modality} is not a pharmacological modality. Choose a prescribing or detox modality.", field="modality"
        )
    if intervention is not None and modality.intervention.code != intervention:
        raise DomainError(
            f"{modality} does not match this kind of detox. Choose the matching detox modality.", field="modality"
        )


@transaction.atomic
def record_clinical_assessment(
    *, actor, episode, assessed_on: date, findings: str, children_in_home: bool = False
) -> ClinicalAssessment:
    _require(actor, "prescribing.add_clinicalassessment", role=Role.PRESCRIBER, what="record a clinical assessment")
    _check_open_episode(episode)
    if not (findings or "").strip():
        raise DomainError("Enter the findings of the clinical assessment.", field="findings")
    if assessed_on < episode.opened_on:
        raise DomainError("The assessment date must be on or after the episode opened.", field="assessed_on")
    assessment = ClinicalAssessment.objects.create(
        person=episode.person,
        episode=episode,
        prescriber=actor,
        assessed_on=assessed_on,
        findings=findings.strip(),
        children_in_home=children_in_home,
    )
    audit.record(AuditAction.CREATE, assessment, actor=actor, details={"children_in_home": children_in_home})
    return assessment


def children_in_home(person) -> bool:
    """Children live in or visit the home: said at the latest clinical assessment, or in the comprehensive
    assessment's children living with the person (CHILDWTH)."""
    from assessment.models import Assessment

    latest = ClinicalAssessment.objects.filter(person=person).order_by("-assessed_on", "-pk").first()
    if latest is not None and latest.children_in_home:
        return True
    return Assessment.objects.filter(episode__person=person, children_living_with__children_in_household=True).exists()


def _check_dates(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The end date must be the same as or after the start date.", field="ends_on")


def _check_no_overlap(*, person, medication, starts_on, ends_on, ignore_pk=None) -> None:
    """Callers hold the person's row lock, so two prescribers cannot both pass this check at once."""
    clashing = Prescription.objects.filter(person=person, medication=medication).exclude(ends_on__lt=starts_on)
    if ends_on is not None:
        clashing = clashing.filter(starts_on__lte=ends_on)
    if ignore_pk is not None:
        clashing = clashing.exclude(pk=ignore_pk)
    existing = clashing.order_by("starts_on").first()
    if existing is not None:
        raise DomainError(
            f"{person} already has {existing.medication} prescribed from {long_date(existing.starts_on)}"
            + (f" to {long_date(existing.ends_on)}" if existing.ends_on else " with no end date")
            + ". Change that prescription's dose or end it instead.",
            field="starts_on",
        )


def _check_safe_storage(*, person, supervised: bool, starts_on: date) -> None:
    if supervised or not children_in_home(person):
        return
    if not SafeStorage.objects.filter(person=person, offered_on__lte=starts_on).exists():
        raise DomainError(
            "Children live in or visit this person's home: record a lockable safe storage box as offered "
            "(issued, or declined with the reason) before the first take-home dose.",
            field="supervised",
        )


def _check_prison_release(*, medication, regime, starts_on, released_from_prison_on, gap_reason) -> None:
    """A maintenance script after prison release continues with no gap: it starts no later than the day after
    release, or the reason for the gap is recorded."""
    if released_from_prison_on is None:
        return
    if starts_on < released_from_prison_on:
        raise DomainError("A community prescription cannot start before the release date.", field="starts_on")
    continuing = medication.maintenance or regime == Regime.MAINTENANCE
    if continuing and starts_on > released_from_prison_on + timedelta(days=1) and not (gap_reason or "").strip():
        raise DomainError(
            f"This script starts {(starts_on - released_from_prison_on).days} days after release from prison. "
            "Start it no later than the day after release, or record the reason for the gap.",
            field="gap_reason",
        )


def _release_on_record(person, starts_on: date) -> date | None:
    """The release date on the person's record (flagged as released from prison recently) when this is their
    first community script since it: the continuity check then runs without the prescriber typing the date."""
    released_on = person.released_from_prison_on
    if not person.recent_prison_release or released_on is None or starts_on < released_on:
        return None
    if Prescription.objects.filter(person=person, starts_on__gte=released_on).exists():
        return None
    return released_on


def _planned_steps(prescription, steps) -> None:
    if prescription.regime not in (Regime.REDUCTION, Regime.WITHDRAWAL):
        if steps:
            raise DomainError("Planned steps are only for a reduction or withdrawal regime.", field="planned_steps")
        return
    seen = set()
    rows = []
    for index, (from_date, dose) in enumerate(sorted(steps or [], key=lambda step: step[0])):
        if from_date <= prescription.starts_on:
            raise DomainError("Each planned step must start after the prescription starts.", field="planned_steps")
        if prescription.ends_on is not None and from_date > prescription.ends_on:
            raise DomainError("Each planned step must start before the prescription ends.", field="planned_steps")
        if from_date in seen:
            raise DomainError("Two planned steps start on the same date.", field="planned_steps")
        seen.add(from_date)
        step_dose = Decimal(str(dose)) if dose is not None else None
        if step_dose is None or step_dose < 0:
            raise DomainError(f"Step {index + 1}: enter a dose of 0 or more.", field="planned_steps")
        rows.append(PlannedStep(prescription=prescription, from_date=from_date, dose=step_dose))
    PlannedStep.objects.bulk_create(rows)


@transaction.atomic
def prescribe(
    *,
    actor,
    episode,
    medication,
    dose,
    regime: str,
    starts_on: date,
    ends_on: date | None = None,
    dispensing_interval_days: int = 1,
    supervised: bool = True,
    pharmacy=None,
    review_on: date | None = None,
    planned_steps=(),
    released_from_prison_on: date | None = None,
    gap_reason: str = "",
    modality=None,
) -> Prescription:
    _require(actor, "prescribing.add_prescription", role=Role.PRESCRIBER, what="prescribe")
    _check_open_episode(episode)
    person = Person.objects.select_for_update().get(pk=episode.person_id)
    assessment = (
        ClinicalAssessment.objects.filter(episode=episode, assessed_on__lte=starts_on)
        .order_by("-assessed_on", "-pk")
        .first()
    )
    if assessment is None:
        raise DomainError(
            "A clinical assessment by a prescriber is needed before prescribing. Record the clinical assessment "
            "first, dated on or before the start of the prescription.",
            field="clinical_assessment",
        )
    _check_modality(modality, episode=episode)
    if modality is not None and starts_on < modality.referred_on:
        raise DomainError(
            f"The prescription cannot start before the referral to {modality} ({long_date(modality.referred_on)}).",
            field="starts_on",
        )
    dose = _positive_dose(dose)
    if regime not in Regime.values:
        raise DomainError("Choose the regime.", field="regime")
    _check_dates(starts_on, ends_on)
    if not dispensing_interval_days or int(dispensing_interval_days) < 1:
        raise DomainError("Enter a dispensing interval of 1 day or more.", field="dispensing_interval_days")
    if supervised and pharmacy is None:
        raise DomainError("Name the pharmacy for supervised consumption.", field="pharmacy")
    _check_no_overlap(person=person, medication=medication, starts_on=starts_on, ends_on=ends_on)
    _check_safe_storage(person=person, supervised=supervised, starts_on=starts_on)
    if released_from_prison_on is None:
        released_from_prison_on = _release_on_record(person, starts_on)
    _check_prison_release(
        medication=medication,
        regime=regime,
        starts_on=starts_on,
        released_from_prison_on=released_from_prison_on,
        gap_reason=gap_reason,
    )
    prescription = Prescription.objects.create(
        person=person,
        episode=episode,
        clinical_assessment=assessment,
        modality=modality,
        medication=medication,
        dose=dose,
        unit=medication.unit,
        regime=regime,
        dispensing_interval_days=dispensing_interval_days,
        supervised=supervised,
        pharmacy=pharmacy,
        starts_on=starts_on,
        ends_on=ends_on,
        review_on=review_on,
        prescriber=actor,
        released_from_prison_on=released_from_prison_on,
        gap_reason=(gap_reason or "").strip(),
    )
    _planned_steps(prescription, planned_steps)
    if modality is not None and modality.started_on is None and starts_on <= timezone.localdate():
        # The first prescription is the modality's start (MODST), which stops its waiting clock for RX10 / DRR5.
        # A script written ahead is started by the morning job on its first day (`record_modality_starts`).
        start_modality(modality=modality, started_on=starts_on, by=actor, expected_version=modality.version)
    audit.record(
        AuditAction.CREATE,
        prescription,
        actor=actor,
        details={"medication": medication.code, "dose": str(dose), "regime": regime, "supervised": supervised},
    )
    return prescription


@transaction.atomic
def change_dose(
    *,
    actor,
    prescription: Prescription,
    expected_version: int,
    dose,
    starts_on: date,
    regime: str | None = None,
    supervised: bool | None = None,
    pharmacy=None,
    dispensing_interval_days: int | None = None,
    review_on: date | None = None,
    planned_steps=(),
) -> Prescription:
    """A change is a new row superseding the old, which ends the day before: the dose history is never lost."""
    _require(actor, "prescribing.change_prescription", role=Role.PRESCRIBER, what="change a dose")
    _check_open_episode(prescription.episode)
    person = Person.objects.select_for_update().get(pk=prescription.person_id)
    if Prescription.objects.filter(supersedes=prescription).exists():
        raise DomainError("This prescription has already been changed. Change the latest one.", field="dose")
    dose = _positive_dose(dose)
    if starts_on <= prescription.starts_on:
        raise DomainError(
            f"The new dose must start after the current one started ({long_date(prescription.starts_on)}).",
            field="starts_on",
        )
    if prescription.ends_on is not None and starts_on > prescription.ends_on:
        raise DomainError("This prescription ended before that date. Write a new prescription.", field="starts_on")
    supervised = prescription.supervised if supervised is None else supervised
    pharmacy = pharmacy if pharmacy is not None else prescription.pharmacy
    if supervised and pharmacy is None:
        raise DomainError("Name the pharmacy for supervised consumption.", field="pharmacy")
    _check_safe_storage(person=person, supervised=supervised, starts_on=starts_on)
    previous_end = prescription.ends_on
    prescription.ends_on = starts_on - timedelta(days=1)
    save_if_unchanged(prescription, expected_version=expected_version, fields=["ends_on"], what="prescription")
    _check_no_overlap(
        person=person,
        medication=prescription.medication,
        starts_on=starts_on,
        ends_on=previous_end,
        ignore_pk=prescription.pk,
    )
    new = Prescription.objects.create(
        person=person,
        episode=prescription.episode,
        clinical_assessment=prescription.clinical_assessment,
        modality=prescription.modality,
        medication=prescription.medication,
        dose=dose,
        unit=prescription.unit,
        regime=regime or prescription.regime,
        dispensing_interval_days=dispensing_interval_days or prescription.dispensing_interval_days,
        supervised=supervised,
        pharmacy=pharmacy,
        starts_on=starts_on,
        ends_on=previous_end,
        review_on=review_on or prescription.review_on,
        prescriber=actor,
        supersedes=prescription,
    )
    _planned_steps(new, planned_steps)
    audit.record(
        AuditAction.CHANGE,
        new,
        actor=actor,
        details={"supersedes": prescription.pk, "from_dose": str(prescription.dose), "to_dose": str(dose)},
    )
    return new


@transaction.atomic
def record_safe_storage(
    *, actor, person, offered_on: date, outcome: str, declined_reason: str = "", advice_given: bool = True
) -> SafeStorage:
    _require(actor, "prescribing.add_safestorage", what="record safe storage")
    if outcome not in SafeStorageOutcome.values:
        raise DomainError("Choose whether the box was issued or declined.", field="outcome")
    if outcome == SafeStorageOutcome.DECLINED and not (declined_reason or "").strip():
        raise DomainError("Enter why the safe storage box was declined.", field="declined_reason")
    record = SafeStorage.objects.create(
        person=person,
        offered_on=offered_on,
        outcome=outcome,
        declined_reason=(declined_reason or "").strip() if outcome == SafeStorageOutcome.DECLINED else "",
        advice_given=advice_given,
        recorded_by=actor,
    )
    audit.record(AuditAction.CREATE, record, actor=actor, details={"outcome": outcome})
    return record


@transaction.atomic
def transfer_to_shared_care(
    *, actor, episode, gp_practice: str, agreed_criteria: str, transferred_on: date, next_review_on: date
) -> SharedCareTransfer:
    """The GP takes over prescribing; the current keyworker keeps the duty to review."""
    _require(actor, "prescribing.add_sharedcaretransfer", role=Role.PRESCRIBER, what="transfer to shared care")
    _check_open_episode(episode)
    if not (gp_practice or "").strip():
        raise DomainError("Enter the GP practice taking on shared care.", field="gp_practice")
    if not (agreed_criteria or "").strip():
        raise DomainError("Enter the agreed criteria the person meets for shared care.", field="agreed_criteria")
    if next_review_on <= transferred_on:
        raise DomainError("The next review must be after the transfer date.", field="next_review_on")
    allocation = episode.allocations.filter(ended_on__isnull=True).select_related("keyworker").first()
    if allocation is None:
        raise DomainError("Allocate a keyworker first: they keep the review duty in shared care.", field="episode")
    if SharedCareTransfer.objects.filter(episode=episode, ended_on__isnull=True).exists():
        raise DomainError("This episode is already in shared care.", field="gp_practice")
    transfer = SharedCareTransfer.objects.create(
        person=episode.person,
        episode=episode,
        gp_practice=gp_practice.strip(),
        agreed_criteria=agreed_criteria.strip(),
        transferred_on=transferred_on,
        review_keyworker=allocation.keyworker,
        next_review_on=next_review_on,
        recorded_by=actor,
    )
    audit.record(AuditAction.CREATE, transfer, actor=actor, details={"gp_practice": transfer.gp_practice})
    return transfer


@transaction.atomic
def shared_care_end(
    *, actor, transfer: SharedCareTransfer, expected_version: int, ended_on: date, end_reason: str
) -> SharedCareTransfer:
    """The GP stops prescribing under shared care: they refer the person back to specialist prescribing, or
    treatment is ending and shared care ends before the discharge. Who may end it is who may start it (a
    prescriber). The review keyworker stays on the record: the keyworker's review duty does not pass to the GP
    and does not end with shared care."""
    _require(actor, "prescribing.change_sharedcaretransfer", role=Role.PRESCRIBER, what="end shared care")
    current = SharedCareTransfer.objects.select_for_update().select_related("episode").get(pk=transfer.pk)
    if current.ended_on is not None:
        raise DomainError(f"This shared care already ended on {long_date(current.ended_on)}.", field="ended_on")
    if end_reason not in SharedCareEndReason.values:
        raise DomainError("Choose why shared care is ending.", field="end_reason")
    if ended_on < current.transferred_on:
        raise DomainError(
            f"Shared care cannot end before it started ({long_date(current.transferred_on)}).", field="ended_on"
        )
    if ended_on > timezone.localdate():
        raise DomainError("The end of shared care cannot be in the future.", field="ended_on")
    discharged_on = current.episode.discharged_on
    if discharged_on is not None and ended_on > discharged_on:
        raise DomainError(
            f"The episode was discharged on {long_date(discharged_on)}: shared care ended on or before that day.",
            field="ended_on",
        )
    current.ended_on = ended_on
    current.end_reason = end_reason
    current.ended_by = actor
    save_if_unchanged(
        current,
        expected_version=expected_version,
        fields=["ended_on", "end_reason", "ended_by"],
        what="shared care record",
    )
    audit.record(
        AuditAction.CHANGE,
        current,
        actor=actor,
        details={"ended_on": ended_on.isoformat(), "end_reason": end_reason, "gp_practice": current.gp_practice},
    )
    return current


def open_shared_care_names(episode) -> list[str]:
    """Discharge check: shared care still open. A GP prescribing under the scheme for a person the service has
    discharged would have no specialist behind them, so the prescriber ends shared care first (specification
    10.3: discharge from specialist prescribing is planned)."""
    return [
        f"GP shared care with {transfer.gp_practice}"
        for transfer in SharedCareTransfer.objects.filter(episode=episode, ended_on__isnull=True)
    ]


def modality_start_evidence(modality, ended_on: date) -> str | None:
    """A script linked to the modality that began by the day it is closed means the modality did start."""
    script = (
        Prescription.objects.filter(modality=modality, starts_on__lte=ended_on)
        .select_related("medication")
        .order_by("starts_on", "pk")
        .first()
    )
    if script is None:
        return None
    return f"{script.medication} was prescribed for it from {long_date(script.starts_on)}."


def end_prescriptions_at_discharge(episode, *, discharged_on: date, by) -> int:
    """Discharge ends every prescription of the episode still running on the discharge date: its end becomes the
    discharge date (the dose history keeps every row). A script written to start after that date never began:
    the discharge is refused with its name, so the prescriber cancels or moves it first. Runs inside the
    discharge's transaction (registered with `referrals.discharge_checks.register_on_discharge`)."""
    running = list(
        Prescription.objects.select_for_update()
        .filter(episode=episode)
        .exclude(ends_on__lte=discharged_on)
        .select_related("medication")
        .order_by("starts_on", "pk")
    )
    not_begun = [p for p in running if p.starts_on > discharged_on]
    if not_begun:
        raise DomainError(
            "These prescriptions start after the discharge date, so they cannot be ended by it: "
            + ", ".join(str(p) for p in not_begun)
            + ". Ask the prescriber to end them, or discharge on a later date.",
            field="discharged_on",
        )
    for prescription in running:
        previous_end = prescription.ends_on
        prescription.ends_on = discharged_on
        save_if_unchanged(prescription, expected_version=prescription.version, fields=["ends_on"], what="prescription")
        audit.record(
            AuditAction.CHANGE,
            prescription,
            actor=by,
            details={
                "ends_on": discharged_on.isoformat(),
                "was": previous_end.isoformat() if previous_end else None,
                "source": "discharge",
            },
        )
    return len(running)


def _plan_version_for(episode, goal) -> PlanVersion | None:
    if goal is not None:
        if goal.plan_version.plan.episode_id != episode.pk:
            raise DomainError("Choose a goal from this episode's recovery plan.", field="goal")
        return goal.plan_version
    versions = PlanVersion.objects.filter(plan__episode=episode)
    return versions.filter(status=VersionStatus.SIGNED).first() or versions.order_by("-number").first()


def _custody_at(day: date, moment: time | None, *, field: str, what: str):
    if moment is None:
        raise DomainError(f"Enter the time the sample was {what}, for example 09:30.", field=field)
    at = timezone.make_aware(datetime.combine(day, moment))
    if at > timezone.now():
        raise DomainError(f"The time the sample was {what} cannot be in the future.", field=field)
    return at


def _custody_event(test, *, step: str, at, by: str, actor) -> CustodyEvent:
    event = CustodyEvent.objects.create(test=test, step=step, at=at, by=by, recorded_by=actor)
    audit.record(AuditAction.CREATE, event, actor=actor, details={"step": step, "at": at.isoformat()})
    return event


@transaction.atomic
def record_drug_test(
    *,
    actor,
    episode,
    tested_on: date,
    sample_type: str,
    purpose: str,
    rationale: str,
    substances_tested,
    results: dict,
    collected_time: time | None = None,
    collected_by: str = "",
    chain_of_custody: bool = False,
    sealed_time: time | None = None,
    sealed_by: str = "",
    lab_confirmed=(),
    goal=None,
) -> DrugTest:
    """`results` maps a substance to positive/negative/not tested; each must be one of `substances_tested`.

    A test belongs to a plan and a live episode (SPEC 10.4: its rationale sits in the recovery plan): refused
    while the episode has no plan version (a draft is enough), and dated after a discharge. It links to the goal
    chosen, or else the episode's signed version (its latest version while none is signed). The sample's
    collection is the first row of its custody trail (collected by, at the time given); under chain of custody
    the sealing follows at once, and sent / received are added as they happen (`drug_test_custody_add`)."""
    _require(actor, "prescribing.add_drugtest", what="record a drug or alcohol test")
    if not (rationale or "").strip():
        raise DomainError("Enter the recovery plan's rationale for this test.", field="rationale")
    if sample_type not in SampleType.values:
        raise DomainError("Choose the sample type.", field="sample_type")
    if tested_on < episode.opened_on:
        raise DomainError("The test date must be on or after the episode opened.", field="tested_on")
    if tested_on > timezone.localdate():
        raise DomainError("The test date cannot be in the future.", field="tested_on")
    if episode.discharged_on is not None and tested_on > episode.discharged_on:
        raise DomainError(
            f"The episode was discharged on {long_date(episode.discharged_on)}: a test cannot be dated after it.",
            field="tested_on",
        )
    plan_version = _plan_version_for(episode, goal)
    if plan_version is None:
        raise DomainError(
            "This episode has no recovery plan. Write the plan (a draft is enough) with the reason for testing, "
            "then record the test.",
            field="rationale",
        )
    collected_at = _custody_at(tested_on, collected_time, field="collected_time", what="collected")
    collected_by = (collected_by or "").strip() or actor.get_full_name() or actor.get_username()
    sealed_at = None
    if chain_of_custody:
        sealed_at = _custody_at(tested_on, sealed_time, field="sealed_time", what="sealed")
        if sealed_at < collected_at:
            raise DomainError("The sample cannot be sealed before it was collected.", field="sealed_time")
        if not (sealed_by or "").strip():
            raise DomainError("Enter who sealed the sample in the person's presence.", field="sealed_by")
    elif sealed_time is not None or (sealed_by or "").strip():
        raise DomainError(
            "A sealed sample is taken under chain of custody: tick chain of custody, or leave the sealing empty.",
            field="chain_of_custody",
        )
    if not (purpose or "").strip():
        raise DomainError("Enter the purpose of the test.", field="purpose")
    tested = list(substances_tested)
    if not tested:
        raise DomainError("Choose at least one substance tested for.", field="substances_tested")
    tested_pks = {substance.pk for substance in tested}
    for substance, result in results.items():
        if substance.pk not in tested_pks:
            raise DomainError(
                f"{substance} has a result but was not tested for. Add it to the substances tested for, "
                "or remove its result.",
                field="results",
            )
        if result not in TestResult.values:
            raise DomainError(f"Choose a result for {substance}.", field="results")
    confirmed = {substance.pk for substance in lab_confirmed}
    if not confirmed <= {substance.pk for substance in results}:
        raise DomainError("Only a substance with a result can be lab confirmed.", field="lab_confirmed")
    test = DrugTest.objects.create(
        person=episode.person,
        episode=episode,
        tested_on=tested_on,
        collected_at=collected_at,
        sample_type=sample_type,
        purpose=purpose.strip(),
        rationale=rationale.strip(),
        plan_version=plan_version,
        goal=goal,
        chain_of_custody=chain_of_custody,
        recorded_by=actor,
    )
    test.substances_tested.set(tested)
    DrugTestResult.objects.bulk_create(
        DrugTestResult(test=test, substance=substance, result=result, lab_confirmed=substance.pk in confirmed)
        for substance, result in results.items()
    )
    audit.record(
        AuditAction.CREATE,
        test,
        actor=actor,
        details={"sample_type": sample_type, "substances": sorted(s.code for s in tested)},
    )
    _custody_event(test, step=CustodyStep.COLLECTED, at=collected_at, by=collected_by, actor=actor)
    if sealed_at is not None:
        _custody_event(test, step=CustodyStep.SEALED, at=sealed_at, by=sealed_by.strip(), actor=actor)
    return test


CUSTODY_ORDER = list(CustodyStep.values)


@transaction.atomic
def drug_test_custody_add(*, actor, test: DrugTest, step: str, at: datetime | None, by: str) -> CustodyEvent:
    """The next step of a sealed sample's chain of custody: sent to the laboratory, then received by it. Each
    step is recorded once, after the step before it, and never in the future."""
    _require(actor, "prescribing.add_drugtest", what="record the chain of custody of a test")
    current = DrugTest.objects.select_for_update().get(pk=test.pk)
    if not current.chain_of_custody:
        raise DomainError("This test was not taken under chain of custody.", field="step")
    if step not in (CustodyStep.SENT, CustodyStep.RECEIVED):
        raise DomainError("Choose sent to the laboratory or received by the laboratory.", field="step")
    trail = {event.step: event for event in current.custody.all()}
    if step in trail:
        raise DomainError(f"{CustodyStep(step).label} is already recorded for this sample.", field="step")
    previous = CUSTODY_ORDER[CUSTODY_ORDER.index(step) - 1]
    if previous not in trail:
        raise DomainError(f"Record the step before first: {CustodyStep(previous).label.lower()}.", field="step")
    if at is None:
        raise DomainError("Enter the date and time of this step.", field="at")
    if at > timezone.now():
        raise DomainError("The time of this step cannot be in the future.", field="at")
    if at < trail[previous].at:
        raise DomainError(
            f"This step cannot be before the sample was {CustodyStep(previous).label.lower()} "
            f"({date_time(timezone.localtime(trail[previous].at))}).",
            field="at",
        )
    if not (by or "").strip():
        raise DomainError("Enter who did this step (person, courier or laboratory).", field="by")
    return _custody_event(current, step=step, at=at, by=by.strip(), actor=actor)


@transaction.atomic
def create_detox_plan(
    *,
    actor,
    episode,
    setting: str,
    planned_start: date,
    planned_end: date,
    steps=(),
    notes: str = "",
    support_worker=None,
    modality=None,
) -> DetoxPlan:
    """Community, home-based or day detox: a plan with its medication steps ((from_date, medication, dose)).
    Medication steps need a clinical assessment of the episode on or before the planned start, as a script does."""
    _require(actor, "prescribing.add_detoxplan", role=Role.PRESCRIBER, what="plan a detox")
    _check_open_episode(episode)
    if setting not in DetoxSetting.values:
        raise DomainError("Choose community, home-based or day detox.", field="setting")
    _check_modality(modality, episode=episode, intervention=DETOX_INTERVENTIONS[setting])
    if planned_end < planned_start:
        raise DomainError("The planned end must be the same as or after the planned start.", field="planned_end")
    if steps and not ClinicalAssessment.objects.filter(episode=episode, assessed_on__lte=planned_start).exists():
        # Medication steps are a prescription by another name (SPEC 10.3): the same assessment comes first.
        raise DomainError(
            "A clinical assessment by a prescriber is needed before a detox with medication. Record the clinical "
            "assessment first, dated on or before the planned start.",
            field="planned_start",
        )
    plan = DetoxPlan.objects.create(
        person=episode.person,
        episode=episode,
        modality=modality,
        setting=setting,
        planned_start=planned_start,
        planned_end=planned_end,
        notes=notes,
        support_worker=support_worker,
        recorded_by=actor,
    )
    rows = []
    for from_date, medication, dose in steps:
        if not planned_start <= from_date <= planned_end:
            raise DomainError("Each medication step must fall within the planned detox dates.", field="steps")
        rows.append(
            DetoxStep(plan=plan, from_date=from_date, medication=medication, dose=_positive_dose(dose, "steps"))
        )
    DetoxStep.objects.bulk_create(rows)
    audit.record(AuditAction.CREATE, plan, actor=actor, details={"setting": setting, "steps": len(rows)})
    return plan


@transaction.atomic
def refer_residential(
    *, actor, episode, kind: str, provider: str, funding_route: str, referred_on: date
) -> ResidentialReferral:
    _require(actor, "prescribing.add_residentialreferral", role=Role.PRESCRIBER, what="refer to inpatient care")
    _check_open_episode(episode)
    if kind not in ResidentialKind.values:
        raise DomainError("Choose inpatient detox or residential rehab.", field="kind")
    if not (provider or "").strip():
        raise DomainError("Enter the inpatient or residential provider.", field="provider")
    if funding_route not in FundingRoute.values:
        raise DomainError("Choose the funding route: FACS assessment or personal budget.", field="funding_route")
    referral = ResidentialReferral.objects.create(
        person=episode.person,
        episode=episode,
        kind=kind,
        provider=provider.strip(),
        funding_route=funding_route,
        referred_on=referred_on,
        recorded_by=actor,
    )
    audit.record(AuditAction.CREATE, referral, actor=actor, details={"kind": kind, "funding_route": funding_route})
    return referral


def record_modality_starts(*, today: date | None = None) -> int:
    """Morning job: a script written ahead (on Friday, starting Monday) starts its modality (MODST) on the day it
    begins, as `prescribe` does at once for a script starting today or earlier; the waiting clock already counts
    the script's start, so RX10 / DRR5, the plan deadlines and the modality's own wait alert then agree. The
    start is the date of the modality's first script, so a morning the job did not run still gets its own date;
    a modality already started is skipped, so a second run changes nothing."""
    today = today or timezone.localdate()
    first_scripts: dict[int, Prescription] = {}
    for prescription in (
        Prescription.objects.filter(modality__isnull=False, modality__started_on__isnull=True, starts_on__lte=today)
        .select_related("modality", "prescriber")
        .order_by("modality_id", "starts_on", "pk")
    ):
        first_scripts.setdefault(prescription.modality_id, prescription)
    started = 0
    for prescription in first_scripts.values():
        modality = prescription.modality
        try:
            with transaction.atomic():
                # Recorded for the prescriber who wrote the script: the start is their clinical decision.
                start_modality(
                    modality=modality,
                    started_on=prescription.starts_on,
                    by=prescription.prescriber,
                    expected_version=modality.version,
                )
                audit.record(
                    AuditAction.CHANGE,
                    modality,
                    actor=None,
                    details={
                        "source": "modality_start_job",
                        "prescription": prescription.pk,
                        "started_on": prescription.starts_on.isoformat(),
                    },
                )
        except (DomainError, PermissionDenied) as exc:
            # The prescriber has since left, or the start clashes with dates recorded on the modality: one
            # modality must not stop the others. It stays unstarted, so its wait alert brings it to the team,
            # who record the start on the modality page.
            logger.warning("Modality %s not started from prescription %s: %s", modality.pk, prescription.pk, exc)
            continue
        started += 1
    return started


@transaction.atomic
def raise_prescribing_wait_tasks(*, today: date | None = None) -> int:
    """Morning job: a task for each pharmacological modality still waiting after its 10 (DRR: 5) working-day
    deadline, for the episode's keyworker; idempotent by source_key, so a modality raises one task ever. One
    transaction, like every morning job: the tasks and their audit rows are written together or not at all."""
    today = today or timezone.localdate()
    late = [
        clock
        for clock in open_clocks(Modality.objects.filter(MAY_BE_WAITING, start_due_on__lt=today), today)
        if clock.waiting_on(today)
    ]
    keys = {f"prescribing_wait:{clock.modality.pk}": clock for clock in late}
    existing = set(Task.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    keyworkers = {
        allocation.episode_id: allocation
        for allocation in Allocation.objects.filter(
            episode_id__in=[clock.modality.episode_id for clock in late], ended_on__isnull=True
        )
    }
    tasks = []
    for key, clock in keys.items():
        if key in existing:
            continue
        episode = clock.modality.episode
        allocation = keyworkers.get(episode.pk)
        tasks.append(
            Task(
                person_id=episode.person_id,
                episode=episode,
                kind=TaskKind.PRESCRIBING_WAIT,
                title=f"Prescribing start overdue (due {long_date(clock.due_on)}): {episode.person}",
                assigned_to_id=allocation.keyworker_id if allocation else None,
                team_id=clock.modality.provider_team_id or (allocation.team_id if allocation else episode.team_id),
                due_on=clock.due_on,
                source_key=key,
            )
        )
    # Existing keys were filtered out above; the unique source_key still guards a concurrent run.
    created = Task.objects.bulk_create(tasks)
    for task in created:
        audit.record(AuditAction.CREATE, task, actor=None, details={"source": "prescribing_wait_job"})
    return len(created)
