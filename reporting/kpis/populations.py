"""The population of each KPI (domain.md 5, 6b) as one annotated queryset: its rows are the episodes, referrals
or modalities the KPI counts, `passes` says whether a row meets the numerator's condition (for a count KPI, a
counted failure has `passes` False), and `kpi_*` annotations carry the dates the KPI read, so a drill-down shows
the failing rows and why with the same definition the figure uses.

Everything is as at the period end `E` (6b): a row, answer, allocation or review counts only when its own date is
on or before `E`, so a past period's figure depends only on recorded dates. Ineligible referrals (signposted at
receipt) never enter structured treatment, and FC3 leaves them out explicitly.
"""

import operator
from datetime import timedelta
from functools import reduce

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from assessment.models import Assessment, AssessmentSubstance
from core.choices import DischargeOutcome, ReferralSourceGroup, SubstanceGroup
from core.sql import AddDays, AddWorkingDays, DaysBetween
from harm_reduction.choices import HEP_B_IMMUNE, HepBOffer
from harm_reduction.models import BbvTest, HepBCourse, HepBDose
from harm_reduction.selectors import HEP_C_TESTS
from prescribing.waits import with_clock
from recovery_plans.models import Modality, ModalityReview, PlanReview, PlanVersion
from referrals.choices import CONTACT_METHODS_THAT_COUNT, ReferralStatus
from referrals.models import Allocation, ContactAttempt, Episode, PartnerInvolvement, Referral
from reporting.periods import Period, twelve_months_ending

# domain.md 5 and 6b: the fixed numbers of each rule.
W21_DAYS = 21
W42_DAYS = 42
RTT3_DAYS = 21
RTT4_DAYS = 28
FC3_WORKING_DAYS = 3
CJ5_WORKING_DAYS = 5
RX10_WORKING_DAYS = 10
DRR5_WORKING_DAYS = 5
RAP3_DAYS = 21
RAP12_DAYS = 84
SIR0_DAYS = 182
REP_DAYS = 183
# DQ: the 15 required items of section 6 (PC or LA is one).
DQ_ITEMS = (
    "DOB",
    "SEX",
    "ETHNIC",
    "PC_OR_LA",
    "GPPTCE",
    "RFLS",
    "DRUG1",
    "ROUTE",
    "INJSTAT",
    "ACCMNEED",
    "EMPSTAT",
    "PRNTSTAT",
    "HEPBSTAT",
    "HEPCSTAT",
    "CONSENT",
)


def flag(condition) -> Case:
    """A true/false column (never NULL) from a condition that may involve NULLs."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _one(condition) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _episodes(team_id):
    episodes = Episode.objects.order_by()
    return episodes if team_id is None else episodes.filter(team_id=team_id)


def _sorts_before(values: dict) -> Q:
    """A row that sorts before `values` (field -> value, in sort order): lexicographic, as `ORDER BY` compares."""
    before, equal = [], Q()
    for field, value in values.items():
        before.append(equal & Q(**{f"{field}__lt": value}))
        equal &= Q(**{field: value})
    return reduce(operator.or_, before)


def _with_first(episodes, related: str, columns: dict, window: tuple):
    """Episodes joined once to their first row of `related` (a reverse relation), kept when that row is dated in
    `window` (two dates, inclusive), as at any day from the window's end on. `columns` names the annotations
    (annotation -> field) in the rows' order: the date, any ties, then the id.

    Each row dated in the window is the first when no row of its episode sorts before it: one index probe each,
    where a subquery per episode for each column would re-read and re-sort the episode's rows."""
    dated = next(iter(columns.values()))
    model = getattr(Episode, related).rel.related_model
    # The join the filter makes is the one the annotations read, so each row is one episode's row.
    rows = episodes.filter(**{f"{related}__{dated}__range": window}).annotate(
        **{name: F(f"{related}__{field}") for name, field in columns.items()}
    )
    earlier = model.objects.filter(episode=OuterRef("pk")).filter(
        _sorts_before({field: OuterRef(name) for name, field in columns.items()})
    )
    return rows.filter(~Exists(earlier))


def _with_first_modality(team_id, *, started_from, started_to):
    """Episodes whose first modality (6a: the earliest start, ties to the earliest referral) started between the
    two dates, with that modality's id, start and referral date."""
    columns = {"kpi_started_on": "started_on", "kpi_modality_referred_on": "referred_on", "kpi_modality_id": "pk"}
    return _with_first(_episodes(team_id), "modalities", columns, (started_from, started_to))


def _latest_assessment(end, episode=None):
    """The episode's assessment as at `end` (6b): the latest completed on or before it, then the highest id."""
    return (
        Assessment.objects.filter(
            episode=episode if episode is not None else OuterRef("pk"),
            completed_on__isnull=False,
            completed_on__lte=end,
        )
        .order_by("-completed_on", "-pk")
        .values("pk")[:1]
    )


def _has_substance(assessment_ref, condition=None):
    substances = AssessmentSubstance.objects.filter(assessment_id=assessment_ref)
    return Exists(substances.filter(condition) if condition is not None else substances)


def _row_by_row(condition) -> Case:
    """`condition` (an EXISTS on the episode's assessment as at E) as a filter tested on each row. A bare EXISTS in
    WHERE is planned as a semi-join, and PostgreSQL then hashes every assessment's substances (seconds at 1,000,000
    people) to match a few thousand episodes; inside a CASE it is one index probe per row."""
    return flag(condition)


# ---------------------------------------------------------------------------------------------- waiting times


def first_modality_started(period: Period, team_id=None):
    """W21 and W42 (RTT3 and RTT4 add the referral's date): episodes whose first modality (as at E) started in the
    period."""
    return _with_first_modality(team_id, started_from=period.start, started_to=period.end).annotate(
        kpi_waited_days=DaysBetween(F("kpi_started_on"), F("kpi_modality_referred_on"))
    )


def first_modality_started_from_referral(period: Period, team_id=None):
    """W21's population with the days from the referral's arrival to the first start (RTT3, RTT4)."""
    return first_modality_started(period, team_id).annotate(
        kpi_referred_on=F("referral__received_on"),
        kpi_days_from_referral=DaysBetween(F("kpi_started_on"), F("kpi_referred_on")),
    )


# What passes each KPI of the first-modality population (W42's counted rows are those that do not: waited 42
# days or more). The engine counts all four in one pass over the population.
FIRST_MODALITY_PASSES = {
    "W21": Q(kpi_waited_days__lte=W21_DAYS),
    "W42": Q(kpi_waited_days__lt=W42_DAYS),
    "RTT3": Q(kpi_days_from_referral__lt=RTT3_DAYS),
    "RTT4": Q(kpi_days_from_referral__lt=RTT4_DAYS),
}


def w21(period, team_id=None):
    return first_modality_started(period, team_id).annotate(passes=flag(FIRST_MODALITY_PASSES["W21"]))


def w42(period, team_id=None):
    return first_modality_started(period, team_id).annotate(passes=flag(FIRST_MODALITY_PASSES["W42"]))


def rtt3(period, team_id=None):
    return first_modality_started_from_referral(period, team_id).annotate(passes=flag(FIRST_MODALITY_PASSES["RTT3"]))


def rtt4(period, team_id=None):
    return first_modality_started_from_referral(period, team_id).annotate(passes=flag(FIRST_MODALITY_PASSES["RTT4"]))


def cj5(period, team_id=None):
    return (
        first_modality_started_from_referral(period, team_id)
        .filter(referral__source__group=ReferralSourceGroup.CRIMINAL_JUSTICE)
        .annotate(kpi_due_on=AddWorkingDays(F("referral__received_on"), CJ5_WORKING_DAYS))
        .annotate(passes=flag(Q(kpi_started_on__lte=F("kpi_due_on"))))
    )


def fc3(period, team_id=None):
    """Referrals received in the period (ineligible ones aside), less those due after E with no contact by E."""
    referrals = Referral.objects.order_by().exclude(status=ReferralStatus.SIGNPOSTED_INELIGIBLE)
    if team_id is not None:
        referrals = referrals.filter(team_id=team_id)
    first_contact = (
        ContactAttempt.objects.filter(
            referral=OuterRef("pk"), method__in=CONTACT_METHODS_THAT_COUNT, made_on__lte=period.end
        )
        .order_by("made_on")
        .values("made_on")[:1]
    )
    return (
        referrals.filter(received_on__gte=period.start, received_on__lte=period.end)
        .annotate(
            kpi_referred_on=F("received_on"),
            kpi_due_on=AddWorkingDays(F("received_on"), FC3_WORKING_DAYS),
            kpi_first_contact_on=Subquery(first_contact),
        )
        .filter(Q(kpi_due_on__lte=period.end) | Q(kpi_first_contact_on__isnull=False))
        .annotate(passes=flag(Q(kpi_first_contact_on__lte=F("kpi_due_on"))))
    )


def _prescribing_started(period, team_id):
    # Only started modalities wait: a withdrawn one that never started is in no waiting-time KPI.
    modalities = Modality.objects.order_by().filter(started_on__gte=period.start, started_on__lte=period.end)
    if team_id is not None:
        modalities = modalities.filter(episode__team_id=team_id)
    return with_clock(modalities).annotate(kpi_started_on=F("started_on"), kpi_referred_on=F("referred_on"))


def rx10(period, team_id=None):
    return (
        _prescribing_started(period, team_id)
        .filter(drr_order_date__isnull=True)
        .annotate(kpi_due_on=AddWorkingDays(F("referred_on"), RX10_WORKING_DAYS))
        .annotate(passes=flag(Q(started_on__lte=F("kpi_due_on"))))
    )


def drr5(period, team_id=None):
    return (
        _prescribing_started(period, team_id)
        .filter(drr_order_date__isnull=False)
        .annotate(kpi_order_on=F("drr_order_date"), kpi_due_on=AddWorkingDays(F("drr_order_date"), DRR5_WORKING_DAYS))
        .annotate(passes=flag(Q(started_on__lte=F("kpi_due_on"))))
    )


# ------------------------------------------------------------------------------------------ plans and reviews


def rap3(period, team_id=None):
    """Episodes whose due date (first modality start + 21 days) falls in the period."""
    first_signed = (
        PlanVersion.objects.filter(plan__episode=OuterRef("pk"), signed_on__isnull=False, signed_on__lte=period.end)
        .order_by("signed_on")
        .values("signed_on")[:1]
    )
    started_from, started_to = period.start - timedelta(days=RAP3_DAYS), period.end - timedelta(days=RAP3_DAYS)
    return (
        _with_first_modality(team_id, started_from=started_from, started_to=started_to)
        .annotate(kpi_due_on=AddDays(F("kpi_started_on"), RAP3_DAYS), kpi_signed_on=Subquery(first_signed))
        .annotate(passes=flag(Q(kpi_signed_on__lte=F("kpi_due_on"))))
    )


def rap12(period, team_id=None):
    """Episodes whose due date (first completed comprehensive assessment + 84 days) falls in the period."""
    first_review = (
        PlanReview.objects.filter(plan__episode=OuterRef("pk"), reviewed_on__lte=period.end)
        .order_by("reviewed_on")
        .values("reviewed_on")[:1]
    )
    window = (period.start - timedelta(days=RAP12_DAYS), period.end - timedelta(days=RAP12_DAYS))
    columns = {"kpi_assessed_on": "completed_on", "kpi_first_assessment_id": "pk"}
    return (
        _with_first(_episodes(team_id), "assessments", columns, window)
        .annotate(kpi_due_on=AddDays(F("kpi_assessed_on"), RAP12_DAYS), kpi_reviewed_on=Subquery(first_review))
        .annotate(passes=flag(Q(kpi_reviewed_on__lte=F("kpi_due_on"))))
    )


def sir0(period, team_id=None):
    """Modalities open at E; counted when the latest review by E (or the start) is more than 182 days before E."""
    modalities = Modality.objects.order_by().filter(started_on__lte=period.end)
    modalities = modalities.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=period.end))
    if team_id is not None:
        modalities = modalities.filter(episode__team_id=team_id)
    last_review = (
        ModalityReview.objects.filter(modality=OuterRef("pk"), reviewed_on__lte=period.end)
        .order_by("-reviewed_on")
        .values("reviewed_on")[:1]
    )
    return (
        modalities.annotate(kpi_started_on=F("started_on"), kpi_reviewed_on=Subquery(last_review))
        .annotate(kpi_due_on=AddDays(Coalesce("kpi_reviewed_on", "started_on"), SIR0_DAYS))
        .annotate(passes=flag(Q(kpi_due_on__gte=period.end)))
    )


# --------------------------------------------------------------------------------------------- new episodes


def opened_in(period, team_id=None):
    return (
        _episodes(team_id)
        .filter(opened_on__gte=period.start, opened_on__lte=period.end)
        .annotate(kpi_opened_on=F("opened_on"))
    )


def kw(period, team_id=None):
    allocated = (
        Allocation.objects.filter(episode=OuterRef("pk"), allocated_on__lte=period.end)
        .order_by("allocated_on")
        .values("allocated_on")[:1]
    )
    return (
        opened_in(period, team_id)
        .annotate(kpi_allocated_on=Subquery(allocated))
        .annotate(passes=flag(Q(kpi_allocated_on__isnull=False)))
    )


def jw(period, team_id=None):
    recorded = (
        PartnerInvolvement.objects.filter(episode=OuterRef("pk"), recorded_on__lte=period.end)
        .order_by("recorded_on")
        .values("recorded_on")[:1]
    )
    return (
        opened_in(period, team_id)
        .annotate(kpi_recorded_on=Subquery(recorded))
        .annotate(passes=flag(Q(kpi_recorded_on__isnull=False)))
    )


# ---------------------------------------------------------------------------------------------- discharges


def _discharged_non_neutral(period, team_id):
    return (
        _episodes(team_id)
        .filter(discharged_on__gte=period.start, discharged_on__lte=period.end)
        .exclude(discharge_reason__outcome=DischargeOutcome.NEUTRAL)
        .annotate(
            kpi_discharged_on=F("discharged_on"),
            kpi_assessment_id=Subquery(_latest_assessment(period.end)),
            passes=flag(Q(discharge_reason__outcome=DischargeOutcome.SUCCESSFUL)),
        )
    )


def pda(period, team_id=None):
    """Alcohol episodes: every problem substance of the assessment as at E is alcohol (section 4)."""
    assessment = OuterRef("kpi_assessment_id")
    return _discharged_non_neutral(period, team_id).filter(
        _row_by_row(_has_substance(assessment)),
        _row_by_row(~_has_substance(assessment, ~Q(substance__group=SubstanceGroup.ALCOHOL))),
    )


def pdd(period, team_id=None):
    """Drug (opiate and non-opiate) episodes: any problem substance other than alcohol."""
    assessment = OuterRef("kpi_assessment_id")
    return _discharged_non_neutral(period, team_id).filter(
        _row_by_row(_has_substance(assessment, ~Q(substance__group=SubstanceGroup.ALCOHOL)))
    )


def _representation(period, team_id, group: str):
    """Episodes opened in the period; counted when the person had an earlier episode of `group` (its assessment
    as at its own discharge) discharged as successful 0 to 183 days before this episode's referral arrived."""
    assessment = OuterRef("kpi_assessment_id")
    opiate = _has_substance(assessment, Q(substance__group=SubstanceGroup.OPIATE))
    of_group = (
        opiate
        if group == SubstanceGroup.OPIATE
        else Q(_has_substance(assessment, ~Q(substance__group=SubstanceGroup.ALCOHOL))) & ~opiate
    )
    received = OuterRef("referral__received_on")
    earlier = (
        Episode.objects.filter(
            person=OuterRef("person"),
            discharge_reason__outcome=DischargeOutcome.SUCCESSFUL,
            discharged_on__lte=received,
            discharged_on__gte=AddDays(received, -REP_DAYS),
        )
        .exclude(pk=OuterRef("pk"))
        .annotate(kpi_assessment_id=Subquery(_latest_assessment(OuterRef("discharged_on"))))
        .filter(of_group)
        .order_by("-discharged_on")
    )
    return (
        opened_in(period, team_id)
        .annotate(
            kpi_referred_on=F("referral__received_on"),
            kpi_earlier_episode_id=Subquery(earlier.values("pk")[:1]),
            kpi_earlier_discharged_on=Subquery(earlier.values("discharged_on")[:1]),
        )
        .annotate(passes=flag(Q(kpi_earlier_episode_id__isnull=True)))
    )


def rep_o(period, team_id=None):
    return _representation(period, team_id, SubstanceGroup.OPIATE)


def rep_n(period, team_id=None):
    return _representation(period, team_id, SubstanceGroup.NON_OPIATE)


# ------------------------------------------------------------------------------------------- blood-borne viruses


def _hep_b_courses(end):
    return HepBCourse.objects.filter(person=OuterRef("person"), offered_on__lte=end)


def hbo(period, team_id=None):
    """Episodes opened in the period whose person was not found already immune by E; passes when offered."""
    immune = _hep_b_courses(period.end).filter(offer__in=HEP_B_IMMUNE, outcome_on__lte=period.end)
    first_offer = _hep_b_courses(period.end).order_by("offered_on").values("offered_on")[:1]
    return (
        opened_in(period, team_id)
        .filter(~Exists(immune))
        .annotate(kpi_offered_on=Subquery(first_offer))
        .annotate(passes=flag(Q(kpi_offered_on__isnull=False)))
    )


def hbr(period, team_id=None):
    """HBO's population that was offered; passes (counted) when the latest answer by E is a refusal, the
    answer the return sends as HEPBSTAT B."""
    latest_answer = _hep_b_courses(period.end).filter(outcome_on__lte=period.end).order_by("-offered_on", "-pk")
    return (
        hbo(period, team_id)
        .filter(kpi_offered_on__isnull=False)
        .annotate(
            kpi_answer=Subquery(latest_answer.values("offer")[:1]),
            kpi_answered_on=Subquery(latest_answer.values("outcome_on")[:1]),
        )
        .annotate(passes=flag(Q(kpi_answer=HepBOffer.REFUSED)))
    )


def _accepted_in_twelve_months(period, team_id):
    first, last = twelve_months_ending(period.end)
    accepted = _hep_b_courses(period.end).filter(offer=HepBOffer.ACCEPTED, outcome_on__lte=period.end)
    episodes = _episodes(team_id).filter(opened_on__gte=first, opened_on__lte=last)
    return episodes.annotate(
        kpi_opened_on=F("opened_on"),
        kpi_accepted_on=Subquery(accepted.order_by("outcome_on").values("outcome_on")[:1]),
    ).filter(kpi_accepted_on__isnull=False)


def hbc(period, team_id=None):
    completed = (
        _hep_b_courses(period.end)
        .filter(offer=HepBOffer.ACCEPTED, outcome_on__lte=period.end, completed_on__lte=period.end)
        .order_by("completed_on")
        .values("completed_on")[:1]
    )
    return (
        _accepted_in_twelve_months(period, team_id)
        .annotate(kpi_completed_on=Subquery(completed))
        .annotate(passes=flag(Q(kpi_completed_on__isnull=False)))
    )


def hb1(period, team_id=None):
    first_dose = (
        HepBDose.objects.filter(
            course__person=OuterRef("person"),
            course__offer=HepBOffer.ACCEPTED,
            course__offered_on__lte=period.end,
            course__outcome_on__lte=period.end,
            given_on__lte=period.end,
        )
        .order_by("given_on")
        .values("given_on")[:1]
    )
    return (
        _accepted_in_twelve_months(period, team_id)
        .annotate(kpi_first_dose_on=Subquery(first_dose))
        .annotate(passes=flag(Q(kpi_first_dose_on__isnull=False)))
    )


def hcv(period, team_id=None):
    """Episodes opened in the period whose injecting status (assessment as at E) is current or previous."""
    injector = Assessment.objects.filter(pk=OuterRef("kpi_assessment_id"), injecting_status__ever_injected=True)
    offered = (
        BbvTest.objects.filter(person=OuterRef("person"), kind__in=HEP_C_TESTS, offered_on__lte=period.end)
        .order_by("offered_on")
        .values("offered_on")[:1]
    )
    return (
        opened_in(period, team_id)
        .annotate(kpi_assessment_id=Subquery(_latest_assessment(period.end)))
        .filter(_row_by_row(Exists(injector)))
        .annotate(kpi_test_offered_on=Subquery(offered))
        .annotate(passes=flag(Q(kpi_test_offered_on__isnull=False)))
    )


# ------------------------------------------------------------------------------------------------ data quality


ASSESSMENT_ITEMS = ("DRUG1", "ROUTE", "INJSTAT", "ACCMNEED", "EMPSTAT", "PRNTSTAT")


def _assessment_item_conditions(assessment_ref) -> dict:
    """The DQ items an assessment holds, as conditions on that assessment (`assessment_ref` is its id)."""
    drug1 = AssessmentSubstance.objects.filter(assessment_id=assessment_ref, rank=1)
    return {
        "DRUG1": Exists(drug1),
        "ROUTE": Exists(drug1.filter(route__isnull=False)),
        "INJSTAT": Q(injecting_status__isnull=False),
        "ACCMNEED": Q(accommodation_need__isnull=False),
        "EMPSTAT": Q(employment_status__isnull=False),
        "PRNTSTAT": Q(parental_status__isnull=False),
    }


def _dq_conditions(end) -> dict:
    """Each required item of section 6 as a condition on an open episode, as at `end`."""
    hep_b = HepBCourse.objects.filter(person=OuterRef("person"), offered_on__lte=end)
    hep_c = BbvTest.objects.filter(person=OuterRef("person"), kind__in=HEP_C_TESTS, offered_on__lte=end)
    latest = Assessment.objects.filter(pk=OuterRef("kpi_assessment_id"))
    from_assessment = {
        item: Exists(latest.filter(condition))
        for item, condition in _assessment_item_conditions(OuterRef("pk")).items()
    }
    return {
        "DOB": Q(person__date_of_birth__isnull=False),
        "SEX": Q(person__sex__isnull=False),
        "ETHNIC": Q(person__ethnicity__isnull=False),
        "PC_OR_LA": ~Q(person__postcode="") | ~Q(person__local_authority=""),
        "GPPTCE": ~Q(person__gp_practice=""),
        "RFLS": Q(referral__source__isnull=False),
        **from_assessment,
        # D when nothing was offered by E; empty only while every offer by E still waits for its answer.
        "HEPBSTAT": ~Exists(hep_b) | Exists(hep_b.filter(outcome_on__lte=end)),
        "HEPCSTAT": ~Exists(hep_c) | Exists(hep_c.filter(answered_on__lte=end)),
        "CONSENT": Q(person__consent_asked_on__lte=end),
    }


def dq(period, team_id=None):
    """Episodes open at E, each with `dq_<ITEM>` flags and `kpi_filled_items` (0 to 15); passes when all filled.

    The six items of the assessment as at E are counted in one subquery (the flags, for a drill-down, read them
    one by one)."""
    conditions = _dq_conditions(period.end)
    assessment_filled = (
        Assessment.objects.filter(episode=OuterRef("pk"), completed_on__isnull=False, completed_on__lte=period.end)
        .order_by("-completed_on", "-pk")
        .annotate(
            filled=sum(
                (_one(condition) for condition in _assessment_item_conditions(OuterRef("pk")).values()), Value(0)
            )
        )
        .values("filled")[:1]
    )
    episodes = (
        _episodes(team_id)
        .filter(opened_on__lte=period.end)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=period.end))
        .annotate(kpi_opened_on=F("opened_on"), kpi_assessment_id=Subquery(_latest_assessment(period.end)))
    )
    filled = sum(
        (_one(condition) for item, condition in conditions.items() if item not in ASSESSMENT_ITEMS),
        Coalesce(Subquery(assessment_filled, output_field=IntegerField()), Value(0)),
    )
    return episodes.annotate(
        **{f"dq_{item}": flag(condition) for item, condition in conditions.items()},
        kpi_filled_items=filled,
    ).annotate(passes=flag(Q(kpi_filled_items=len(DQ_ITEMS))))


POPULATIONS = {
    "W21": w21,
    "W42": w42,
    "RTT3": rtt3,
    "RTT4": rtt4,
    "FC3": fc3,
    "CJ5": cj5,
    "RX10": rx10,
    "DRR5": drr5,
    "RAP3": rap3,
    "RAP12": rap12,
    "KW": kw,
    "JW": jw,
    "PDA": pda,
    "PDD": pdd,
    "SIR0": sir0,
    "HBO": hbo,
    "HBR": hbr,
    "HBC": hbc,
    "HB1": hb1,
    "HCV": hcv,
    "REP-O": rep_o,
    "REP-N": rep_n,
    "DQ": dq,
}

# KPIs of one population, with what passes each: the engine counts them in one query over it.
SHARED_POPULATIONS = ((first_modality_started_from_referral, FIRST_MODALITY_PASSES),)

# The populations of `_with_first`: a period's first rows (tens of thousands at 1,000,000 people) joined to their
# episodes. The engine plans them for index probes, where PostgreSQL's default costs hash every episode.
INDEX_PROBED = frozenset({w21, w42, rtt3, rtt4, cj5, rap3, rap12, first_modality_started_from_referral})
