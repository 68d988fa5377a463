"""Modalities: referral from the plan, first offer, start, sub-intervention reviews and end with an exit status.

Who may do what (pages and API alike, refused with PermissionDenied so both answer 403):
- refer: an assessor (domain.md 2.6: "each referred by the assessor") holding `add_modality`;
- first offer, start, end and reviews: the care team holding `change_modality` / `add_modalityreview`
  (assessors, keyworkers, prescribers, team managers; see `recovery_plans/roles.py`).
Which episodes a user may touch is decided by the caller's scoped queryset (`visible_to`).
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.concurrency import save_if_unchanged
from core.dates import long_date
from core.errors import DomainError, StaleEditError
from recovery_plans.models import Intervention, Modality, ModalityReview
from referrals import clock_inputs
from referrals.models import Task, TeamInvolvement

SUB_INTERVENTION_REVIEW_DAYS = 182
REVIEW_TASK_PREFIX = "modality_review_due:"


def wait_task_key(modality_pk: int) -> str:
    """The morning alert for a clock past 14 days: one per modality."""
    return f"modality_wait:{modality_pk}"


def review_task_prefix(modality_pk: int) -> str:
    """Sub-intervention review alerts: one per modality and due date, so each six-month cycle has its own."""
    return f"{REVIEW_TASK_PREFIX}{modality_pk}:"


def may_refer(user) -> bool:
    return user.has_role(Role.ASSESSOR) and user.has_perm("recovery_plans.add_modality")


def may_record(user) -> bool:
    return user.has_perm("recovery_plans.change_modality")


def may_review(user) -> bool:
    return user.has_perm("recovery_plans.add_modalityreview")


def _not_future(day: date, *, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise DomainError(f"The {what} cannot be in the future.", field=field)


def _close_tasks(*, keys: list[str] | None = None, prefix: str | None = None, by) -> None:
    """The alerts about this modality are answered: mark them done so they leave the caseload."""
    tasks = Task.objects.filter(done_on__isnull=True)
    tasks = tasks.filter(source_key__in=keys) if keys is not None else tasks.filter(source_key__startswith=prefix)
    tasks.update(done_on=timezone.localdate(), done_by=by)


# The date-order rules of a modality, as pure functions: the pages (through the services below) and the
# transfer-of-care import (reporting.returns.validate) judge dates by the same rule.


def check_referral_date(*, opened_on: date, referred_on: date) -> None:
    if referred_on < opened_on:
        raise DomainError("The referral date cannot be before the episode opened.", field="referred_on")


def check_first_offer_date(*, referred_on: date, started_on: date | None, offered_on: date) -> None:
    if offered_on < referred_on:
        raise DomainError("The first appointment offered cannot be before the referral.", field="first_offered_on")
    if started_on is not None and offered_on > started_on:
        raise DomainError("The first appointment offered cannot be after the start date.", field="first_offered_on")


def check_start_date(*, referred_on: date, first_offered_on: date | None, started_on: date) -> None:
    if started_on < referred_on:
        raise DomainError("The start date cannot be before the referral date.", field="started_on")
    if first_offered_on is not None and started_on < first_offered_on:
        raise DomainError("The start date cannot be before the first appointment offered.", field="started_on")


def check_end_date(*, started_on: date | None, ended_on: date) -> None:
    if started_on is None:
        raise DomainError("The modality has not started, so it cannot end. Record the start first.", field="ended_on")
    if ended_on < started_on:
        raise DomainError("The end date cannot be before the start date.", field="ended_on")


def check_review_date(*, started_on: date | None, ended_on: date | None, reviewed_on: date) -> None:
    if started_on is None or reviewed_on < started_on:
        raise DomainError("A review must be on or after the modality started.", field="reviewed_on")
    if ended_on is not None and reviewed_on > ended_on:
        raise DomainError("A review cannot be after the modality ended.", field="reviewed_on")


@transaction.atomic
def refer_modality(
    *, episode, intervention: Intervention, setting, referred_on: date, by, provider_team=None, provider: str = ""
) -> Modality:
    if not may_refer(by):
        raise PermissionDenied("Only an assessor can refer a person to a modality.")
    if episode.discharged_on is not None:
        raise DomainError("This episode has been discharged: a modality cannot be added to it.", field="episode")
    if not intervention.active:
        raise DomainError("This intervention is no longer offered. Choose another.", field="intervention")
    check_referral_date(opened_on=episode.opened_on, referred_on=referred_on)
    _not_future(referred_on, field="referred_on", what="referral date")
    modality = Modality.objects.create(
        episode=episode,
        modality_type=intervention.modality_type,
        setting=setting,
        intervention=intervention,
        provider_team=provider_team,
        provider=provider or (provider_team.name if provider_team else ""),
        referred_on=referred_on,
        referred_by=by,
    )
    # Its prescribing due date, and a DRR order's clock may move to it from a modality referred later.
    clock_inputs.changed([episode.person_id])
    if provider_team is not None:
        # The provider team's staff must see the people referred to them.
        TeamInvolvement.objects.get_or_create(
            person=episode.person, team=provider_team, defaults={"since": referred_on, "reason": "Modality referral"}
        )
    audit.record(AuditAction.CREATE, modality, actor=by, details={"intervention": intervention.code})
    return modality


def _locked(modality: Modality) -> Modality:
    return Modality.objects.select_for_update().select_related("episode").get(pk=modality.pk)


def _check_may_record(by, current: Modality, field: str) -> None:
    if not may_record(by):
        raise PermissionDenied("You cannot record the dates of a modality.")
    if current.ended_on is not None:
        raise DomainError("This modality has ended: its dates can no longer change.", field=field)


@transaction.atomic
def record_first_offer(*, modality: Modality, offered_on: date, by, expected_version: int) -> Modality:
    current = _locked(modality)
    _check_may_record(by, current, "first_offered_on")
    check_first_offer_date(referred_on=current.referred_on, started_on=current.started_on, offered_on=offered_on)
    _not_future(offered_on, field="first_offered_on", what="date the first appointment was offered")
    current.first_offered_on = offered_on
    save_if_unchanged(current, expected_version=expected_version, fields=["first_offered_on"], what="modality")
    audit.record(AuditAction.CHANGE, current, actor=by, details={"first_offered_on": offered_on.isoformat()})
    return current


@transaction.atomic
def start_modality(*, modality: Modality, started_on: date, by, expected_version: int) -> Modality:
    current = _locked(modality)
    _check_may_record(by, current, "started_on")
    if current.episode.discharged_on is not None:
        raise DomainError("This episode has been discharged: the modality cannot start.", field="started_on")
    check_start_date(referred_on=current.referred_on, first_offered_on=current.first_offered_on, started_on=started_on)
    _not_future(started_on, field="started_on", what="start date")
    current.started_on = started_on
    save_if_unchanged(current, expected_version=expected_version, fields=["started_on"], what="modality")
    # A start breaks a tie between modalities referred the same day for the DRR order's clock.
    clock_inputs.changed([current.episode.person_id])
    _close_tasks(keys=[wait_task_key(current.pk)], by=by)
    audit.record(AuditAction.CHANGE, current, actor=by, details={"started_on": started_on.isoformat()})
    return current


@transaction.atomic
def end_modality(*, modality: Modality, ended_on: date | None, exit_status, by, expected_version: int) -> Modality:
    current = _locked(modality)
    _check_may_record(by, current, "ended_on")
    if ended_on is None:
        raise DomainError("Enter the end date: an exit status needs the date the modality ended.", field="ended_on")
    check_end_date(started_on=current.started_on, ended_on=ended_on)
    _not_future(ended_on, field="ended_on", what="end date")
    if exit_status is None:
        raise DomainError("Choose an exit status.", field="exit_status")
    current.ended_on = ended_on
    current.exit_status = exit_status
    save_if_unchanged(current, expected_version=expected_version, fields=["ended_on", "exit_status"], what="modality")
    _close_tasks(prefix=review_task_prefix(current.pk), by=by)
    audit.record(
        AuditAction.CHANGE, current, actor=by, details={"ended_on": ended_on.isoformat(), "exit": exit_status.code}
    )
    return current


@transaction.atomic
def review_modality(
    *, modality: Modality, reviewed_on: date, notes: str, by, expected_version: int | None = None
) -> ModalityReview:
    """A sub-intervention review. It moves the modality's version on, so two people recording the same
    review at once (or a review of a modality someone has just ended) are told rather than both saved."""
    current = _locked(modality)
    if not may_review(by):
        raise PermissionDenied("You cannot record a sub-intervention review.")
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError("modality")
    check_review_date(started_on=current.started_on, ended_on=current.ended_on, reviewed_on=reviewed_on)
    _not_future(reviewed_on, field="reviewed_on", what="review date")
    save_if_unchanged(current, expected_version=current.version, fields=[], what="modality")
    review = ModalityReview.objects.create(modality=current, reviewed_on=reviewed_on, notes=notes, by=by)
    _close_tasks(prefix=review_task_prefix(current.pk), by=by)
    audit.record(AuditAction.CREATE, review, actor=by)
    return review


def sub_intervention_review_due(modality: Modality, latest_review: date | None) -> date | None:
    """Six months after the start or the latest review, while the modality runs."""
    if modality.started_on is None or modality.ended_on is not None:
        return None
    return (latest_review or modality.started_on) + timedelta(days=SUB_INTERVENTION_REVIEW_DAYS)


WITHDRAWN = "C"
UNPLANNED = "B"
# Apps above this one (prescribing) register `evidence(modality, ended_on) -> str | None`: a reason to believe
# the modality did start (a script began), so it cannot be closed as never started.
START_EVIDENCE = []


def register_start_evidence(check):
    if check not in START_EVIDENCE:
        START_EVIDENCE.append(check)
    return check


def check_closed_without_start(
    *, referred_on: date, first_offered_on: date | None, ended_on: date, exit_code: str | None
) -> None:
    """A modality closed without a start (pages and the transfer-of-care import alike)."""
    if ended_on < referred_on:
        raise DomainError(
            f"The date closed cannot be before the referral ({long_date(referred_on)}).", field="ended_on"
        )
    if first_offered_on is not None and ended_on < first_offered_on:
        raise DomainError(
            f"The date closed cannot be before the first appointment offered ({long_date(first_offered_on)}).",
            field="ended_on",
        )
    if exit_code not in (WITHDRAWN, UNPLANNED):
        raise DomainError(
            "Choose the exit status withdrawn or unplanned: a planned exit needs a start.", field="exit_status"
        )


@transaction.atomic
def close_unstarted_modality(
    *, modality: Modality, ended_on: date | None, exit_status, reason: str, by, expected_version: int
) -> Modality:
    """A person who declines the modality or never attends: it is closed without a start, withdrawn (C) or
    ended unplanned (B), with the date and the reason, so the episode can be discharged without recording a
    start that never happened. It then counts in no waiting-time figure (W21, RTT, RX10, DRR5 read starts)."""
    current = _locked(modality)
    _check_may_record(by, current, "ended_on")
    if current.started_on is not None:
        raise DomainError(
            f"This modality started on {long_date(current.started_on)}: end it with its end date and exit status "
            "instead of closing it as never started.",
            field="ended_on",
        )
    if ended_on is None:
        raise DomainError("Enter the date the modality was closed.", field="ended_on")
    _not_future(ended_on, field="ended_on", what="date closed")
    check_closed_without_start(
        referred_on=current.referred_on,
        first_offered_on=current.first_offered_on,
        ended_on=ended_on,
        exit_code=exit_status.code if exit_status is not None else None,
    )
    if not (reason or "").strip():
        raise DomainError("Say why the modality never started, for example declined or did not attend.", field="reason")
    for check in START_EVIDENCE:
        if evidence := check(current, ended_on):
            raise DomainError(f"{evidence} Record the start and end the modality instead.", field="ended_on")
    current.ended_on = ended_on
    current.exit_status = exit_status
    current.end_reason = reason.strip()
    save_if_unchanged(
        current, expected_version=expected_version, fields=["ended_on", "exit_status", "end_reason"], what="modality"
    )
    # Its waiting alerts (this app's and prescribing's) have nothing left to wait for.
    _close_tasks(keys=[wait_task_key(current.pk), f"prescribing_wait:{current.pk}"], by=by)
    audit.record(
        AuditAction.CHANGE,
        current,
        actor=by,
        details={"ended_on": ended_on.isoformat(), "exit": exit_status.code, "never_started": True},
    )
    return current


def open_modality_names(episode) -> list[str]:
    """Discharge check: the names of modalities not yet ended."""
    return [str(m) for m in episode.modalities.filter(ended_on__isnull=True).select_related("intervention")]
