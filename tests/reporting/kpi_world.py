"""Small hand-built worlds for the KPI tests: each helper writes the rows one KPI reads, with the dates given."""

from datetime import date

from assessment.models import Assessment, AssessmentSubstance
from core.factories import UserFactory
from core.models import DischargeReason, InjectingStatus, ReferralSource, Substance
from harm_reduction.models import BbvTest, HepBCourse, HepBDose
from recovery_plans.factories import ModalityFactory, PlanVersionFactory, RecoveryPlanFactory
from recovery_plans.models import Intervention, ModalityReview, PlanReview
from referrals.factories import EpisodeFactory, ReferralFactory
from referrals.models import ContactAttempt
from reporting.kpis.engine import compute
from reporting.periods import parse_period

Q1 = parse_period("FY2025Q1")  # 1 April to 30 June 2025


def figure(code: str, period=Q1, *, team=None) -> tuple[int, int]:
    result = compute(period, team=team, codes=[code])[code]
    return result.numerator, result.denominator


def episode(*, received_on: date, opened_on: date | None = None, source: str = "4", team=None, person=None, **fields):
    referral_fields = {
        "referral__received_on": received_on,
        "referral__source": ReferralSource.objects.get(code=source),
    }
    if team is not None:
        referral_fields["referral__team"] = team
    if person is not None:
        referral_fields["referral__person"] = person
    return EpisodeFactory(opened_on=opened_on or received_on, **referral_fields, **fields)


def modality(ep, *, referred_on: date, started_on: date | None, intervention: str = "CBT", **fields):
    chosen = Intervention.objects.get(code=intervention)
    return ModalityFactory(
        episode=ep,
        intervention=chosen,
        modality_type=chosen.modality_type,
        referred_on=referred_on,
        started_on=started_on,
        **fields,
    )


def started_episode(*, referred_on: date, started_on: date, received_on: date | None = None, **fields):
    """An episode whose first (only) modality was referred and started on these dates."""
    ep = episode(received_on=received_on or referred_on, **fields)
    modality(ep, referred_on=referred_on, started_on=started_on)
    return ep


def contact(referral, made_on: date, method: str = "phone"):
    return ContactAttempt.objects.create(referral=referral, made_on=made_on, method=method, recorded_by=UserFactory())


def referral(*, received_on: date, **fields):
    return ReferralFactory(received_on=received_on, **fields)


def signed_plan(ep, signed_on: date):
    plan = RecoveryPlanFactory(episode=ep)
    return PlanVersionFactory(plan=plan, status="signed", signed_by=UserFactory(), signed_on=signed_on)


def plan_review(ep, reviewed_on: date):
    version = signed_plan(ep, reviewed_on)
    return PlanReview.objects.create(
        plan=version.plan, reviewed_on=reviewed_on, reviewed_version=version, by=UserFactory()
    )


def assessment(ep, *, completed_on: date | None, substances=("1011",), injecting: str | None = None, **fields):
    """A completed assessment with the given problem substances (codes) ranked in order."""
    made = Assessment.objects.create(
        episode=ep,
        started_on=ep.opened_on,
        started_by=UserFactory(),
        completed_on=completed_on,
        injecting_status=InjectingStatus.objects.get(code=injecting) if injecting else None,
        **fields,
    )
    for rank, code in enumerate(substances, start=1):
        AssessmentSubstance.objects.create(assessment=made, rank=rank, substance=Substance.objects.get(code=code))
    return made


def discharge(ep, *, on: date, reason: str):
    ep.discharged_on = on
    ep.discharge_reason = DischargeReason.objects.get(code=reason)
    ep.save()
    return ep


def review_modality(mod, reviewed_on: date):
    return ModalityReview.objects.create(modality=mod, reviewed_on=reviewed_on, by=UserFactory())


def hep_b_course(person, *, offered_on: date, offer: str = "offered", outcome_on=None, completed_on=None, doses=()):
    course = HepBCourse.objects.create(
        person=person,
        offer=offer,
        offered_on=offered_on,
        outcome_on=outcome_on,
        completed_on=completed_on,
        course_complete=completed_on is not None,
        recorded_by=UserFactory(),
    )
    for number, given_on in enumerate(doses, start=1):
        HepBDose.objects.create(course=course, dose_number=number, given_on=given_on)
    return course


def hep_c_test(person, *, offered_on: date, answered_on=None, accepted=None):
    return BbvTest.objects.create(
        person=person,
        kind="hepc_antibody",
        offered_on=offered_on,
        answered_on=answered_on,
        accepted=accepted,
        recorded_by=UserFactory(),
    )
