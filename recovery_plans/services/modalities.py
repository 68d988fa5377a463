"""Modalities: referral from the plan, first offer, start, sub-intervention reviews and end with an exit status."""

from datetime import date, timedelta

from django.db import transaction

from core import audit
from core.choices import AuditAction
from core.concurrency import save_if_unchanged
from core.errors import DomainError
from recovery_plans.models import Intervention, Modality, ModalityReview
from referrals.models import TeamInvolvement

SUB_INTERVENTION_REVIEW_DAYS = 182


@transaction.atomic
def refer_modality(
    *, episode, intervention: Intervention, setting, referred_on: date, by, provider_team=None, provider: str = ""
) -> Modality:
    if episode.discharged_on is not None:
        raise DomainError("This episode has been discharged: a modality cannot be added to it.", field="episode")
    if referred_on < episode.opened_on:
        raise DomainError("The referral date cannot be before the episode opened.", field="referred_on")
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
    if provider_team is not None:
        # The provider team's staff must see the people referred to them.
        TeamInvolvement.objects.get_or_create(
            person=episode.person, team=provider_team, defaults={"since": referred_on, "reason": "Modality referral"}
        )
    audit.record(AuditAction.CREATE, modality, actor=by, details={"intervention": intervention.code})
    return modality


def _locked(modality: Modality) -> Modality:
    return Modality.objects.select_for_update().select_related("episode").get(pk=modality.pk)


@transaction.atomic
def record_first_offer(*, modality: Modality, offered_on: date, by, expected_version: int) -> Modality:
    current = _locked(modality)
    if offered_on < current.referred_on:
        raise DomainError("The first appointment offered cannot be before the referral.", field="first_offered_on")
    current.first_offered_on = offered_on
    save_if_unchanged(current, expected_version=expected_version, fields=["first_offered_on"], what="modality")
    audit.record(AuditAction.CHANGE, current, actor=by, details={"first_offered_on": offered_on.isoformat()})
    return current


@transaction.atomic
def start_modality(*, modality: Modality, started_on: date, by, expected_version: int) -> Modality:
    current = _locked(modality)
    if current.episode.discharged_on is not None:
        raise DomainError("This episode has been discharged: the modality cannot start.", field="started_on")
    if started_on < current.referred_on:
        raise DomainError("The start date cannot be before the referral date.", field="started_on")
    current.started_on = started_on
    save_if_unchanged(current, expected_version=expected_version, fields=["started_on"], what="modality")
    audit.record(AuditAction.CHANGE, current, actor=by, details={"started_on": started_on.isoformat()})
    return current


@transaction.atomic
def end_modality(*, modality: Modality, ended_on: date, exit_status, by, expected_version: int) -> Modality:
    current = _locked(modality)
    if current.started_on is None:
        raise DomainError("The modality has not started, so it cannot end. Record the start first.", field="ended_on")
    if ended_on < current.started_on:
        raise DomainError("The end date cannot be before the start date.", field="ended_on")
    if exit_status is None:
        raise DomainError("Choose an exit status.", field="exit_status")
    current.ended_on = ended_on
    current.exit_status = exit_status
    save_if_unchanged(current, expected_version=expected_version, fields=["ended_on", "exit_status"], what="modality")
    audit.record(AuditAction.CHANGE, current, actor=by, details={"ended_on": ended_on.isoformat()})
    return current


@transaction.atomic
def review_modality(*, modality: Modality, reviewed_on: date, notes: str, by) -> ModalityReview:
    current = _locked(modality)
    if current.started_on is None or reviewed_on < current.started_on:
        raise DomainError("A review must be on or after the modality started.", field="reviewed_on")
    review = ModalityReview.objects.create(modality=current, reviewed_on=reviewed_on, notes=notes, by=by)
    audit.record(AuditAction.CREATE, review, actor=by)
    return review


def sub_intervention_review_due(modality: Modality, latest_review: date | None) -> date | None:
    """Six months after the start or the latest review, while the modality runs."""
    if modality.started_on is None or modality.ended_on is not None:
        return None
    return (latest_review or modality.started_on) + timedelta(days=SUB_INTERVENTION_REVIEW_DAYS)


def open_modality_names(episode) -> list[str]:
    """Discharge check: the names of modalities not yet ended."""
    return [str(m) for m in episode.modalities.filter(ended_on__isnull=True).select_related("intervention")]
