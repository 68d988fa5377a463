"""The quarterly management information of SPEC section 17, items 1-20, as aggregate tables.

Each item is a few set-based aggregate queries (`Count(filter=...)`, `values(...).annotate(...)`), never a loop over
people, and every figure is as at the quarter's end E: only rows dated on or before E count. The result is stored as
one `MiSnapshot` per quarter and scope, so the commissioner's page reads that row and no identifiable table.

The tables hold exact counts; `reporting.dashboard.presenters` suppresses small numbers when they are shown.
A table is one of three kinds:

- `breakdown`: rows that split a total (shown), so secondary suppression applies;
- `counts`: independent counts; a row with `of` is a subset of the row at that index (suppressed like a rate);
- `stats`: measures (days, ratings) of a population of `population` people, withheld when it is under 5.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessment.models import Assessment, AssessmentSubstance, Top
from core.choices import DischargeOutcome, ReferralSourceGroup, TeamKind
from core.models import Team
from harm_reduction.choices import HepBOffer, OutreachSetting
from harm_reduction.models import BbvTest, HepBCourse, NspIssue, NspVisit, OutreachContact
from prescribing.models import Prescription
from recovery_plans.models import Modality
from referrals.choices import PartnerAgency, ReferralStatus
from referrals.models import Episode, PartnerInvolvement, Referral
from reporting.models import MiSnapshot, ServiceFeedback
from reporting.periods import Period

# NDTMS codes (domain.md 4a) that SPEC 17 item 9 and 10 name; the code lists themselves are reference data.
UNEMPLOYED = "05"  # EMPSTAT: unemployed and seeking work
NO_FIXED_ABODE = "3"  # ACCMNEED: urgent housing problem
DUAL_DIAGNOSIS = "Y"  # DUALDIAG
CURRENTLY_INJECTING = "C"  # INJSTAT
STIMULANTS = ("3201", "3200", "3100", "3406")  # crack, cocaine, amphetamines, ecstasy
START_TOP = "S"  # TRSTAGE: the TOP at treatment start that later TOPs are compared with
# SPEC 17 item 5 "at the 6 and 12 month stage": a TOP taken 5 to 8, or 11 to 14, months after the start TOP.
TOP_STAGES = (("6", 152, 243), ("12", 335, 425))
TOP_USE_FIELDS = ("alcohol", "opiates", "crack", "cocaine", "amphetamines", "cannabis", "other_drug")
AGE_BANDS = ((11, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, None))
# SPEC 17 item 20 separates outreach in generic settings from targeted outreach.
GENERIC_OUTREACH = (OutreachSetting.HOSPITAL, OutreachSetting.CUSTODY)
NOT_RECORDED = "Not recorded"


def _counts(caption, rows, note=""):
    return {"kind": "counts", "caption": caption, "rows": rows, "note": note}


def _breakdown(caption, rows, note=""):
    return {
        "kind": "breakdown",
        "caption": caption,
        "rows": [{"label": label or NOT_RECORDED, "count": count} for label, count in rows],
        "total": sum(count for _, count in rows),
        "note": note,
    }


def _stats(caption, population, population_label, rows, note=""):
    return {
        "kind": "stats",
        "caption": caption,
        "population": population,
        "population_label": population_label,
        "rows": rows,
        "note": note,
    }


def _days(duration) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Scope:
    """The querysets of one quarter and scope, all as at the quarter's end."""

    def __init__(self, period: Period, team: Team | None):
        self.period, self.team = period, team
        self.start, self.end = period.start, period.end

    def episodes(self, prefix=""):
        return Q(**{f"{prefix}team": self.team}) if self.team else Q()

    def in_treatment(self):
        """Episodes open at some time in the quarter (opened by E, not discharged before S)."""
        return Episode.objects.filter(
            self.episodes(), Q(discharged_on__isnull=True) | Q(discharged_on__gte=self.start), opened_on__lte=self.end
        )

    def with_assessment(self, queryset):
        """Each episode's assessment as at E: its latest completed on or before E (domain.md 6b)."""
        latest = Assessment.objects.filter(
            episode=OuterRef("pk"), completed_on__isnull=False, completed_on__lte=self.end
        ).order_by("-completed_on", "-id")
        return queryset.annotate(assessment_id=Subquery(latest.values("pk")[:1]))


def item_1_referrals(scope: Scope) -> dict:
    referrals = Referral.objects.filter(received_on__range=(scope.start, scope.end))
    if scope.team:
        referrals = referrals.filter(team=scope.team)
    counted = referrals.aggregate(
        received=Count("pk"),
        eligible=Count("pk", filter=~Q(status=ReferralStatus.SIGNPOSTED_INELIGIBLE)),
    )
    opened = Episode.objects.filter(scope.episodes(), opened_on__range=(scope.start, scope.end)).count()
    return {
        "item": 1,
        "title": "New referrals accessing the treatment service",
        "tables": [
            _counts(
                "Referrals and new episodes in the quarter",
                [
                    {"label": "Referrals received", "count": counted["received"]},
                    {"label": "of which eligible for the service", "count": counted["eligible"], "of": 0},
                    {"label": "New episodes of structured treatment opened", "count": opened},
                ],
            )
        ],
    }


def item_2_in_treatment(scope: Scope) -> dict:
    counted = scope.in_treatment().aggregate(
        during=Count("person", distinct=True),
        at_end=Count("person", distinct=True, filter=Q(discharged_on__isnull=True) | Q(discharged_on__gt=scope.end)),
    )
    return {
        "item": 2,
        "title": "Service users in treatment",
        "tables": [
            _counts(
                "People in structured treatment",
                [
                    {"label": "In treatment at some time in the quarter", "count": counted["during"]},
                    {"label": "In treatment on the last day of the quarter", "count": counted["at_end"], "of": 0},
                ],
            )
        ],
    }


def item_3_data_quality() -> dict:
    # The DQ KPI is this item (domain.md 5): the page shows its snapshot here rather than computing it twice.
    return {
        "item": 3,
        "title": "Quality of electronic data completion",
        "tables": [{"kind": "kpi", "caption": "Data completeness (the DQ KPI)", "code": "DQ"}],
    }


def item_4_completions(scope: Scope) -> dict:
    counted = Episode.objects.filter(scope.episodes(), discharged_on__range=(scope.start, scope.end)).aggregate(
        discharged=Count("pk"),
        successful=Count("pk", filter=Q(discharge_reason__outcome=DischargeOutcome.SUCCESSFUL)),
    )
    return {
        "item": 4,
        "title": "People who successfully completed treatment",
        "tables": [
            _counts(
                "Discharges in the quarter",
                [
                    {"label": "Discharged", "count": counted["discharged"]},
                    {"label": "of whom completed treatment successfully", "count": counted["successful"], "of": 0},
                ],
            )
        ],
    }


def _later_tops(scope: Scope):
    """TOPs taken in the quarter after a start TOP of the same episode, with that start TOP's figures beside."""
    start_top = Top.objects.filter(episode=OuterRef("episode"), stage__code=START_TOP).order_by("top_date", "id")
    use = sum((F(name) for name in TOP_USE_FIELDS[1:]), F(TOP_USE_FIELDS[0]))
    start_use = start_top.annotate(use=use).values("use")[:1]
    tops = Top.objects.filter(top_date__range=(scope.start, scope.end)).exclude(stage__code=START_TOP)
    if scope.team:
        tops = tops.filter(episode__team=scope.team)
    return tops.annotate(
        start_date=Subquery(start_top.values("top_date")[:1], output_field=DateField()),
        start_use=Subquery(start_use, output_field=IntegerField()),
        use=use,
        start_psychological=Subquery(start_top.values("psychological_health")[:1]),
        start_physical=Subquery(start_top.values("physical_health")[:1]),
        start_quality=Subquery(start_top.values("quality_of_life")[:1]),
    ).filter(start_date__isnull=False)


def item_5_reduced_use(scope: Scope) -> dict:
    tops = _later_tops(scope).annotate(
        since_start=ExpressionWrapper(F("top_date") - F("start_date"), output_field=DurationField())
    )
    aggregates = {}
    for index, (_, first, last) in enumerate(TOP_STAGES):
        window = Q(since_start__gte=timedelta(days=first), since_start__lte=timedelta(days=last))
        aggregates[f"seen_{index}"] = Count("episode", distinct=True, filter=window)
        aggregates[f"reduced_{index}"] = Count("episode", distinct=True, filter=window & Q(use__lt=F("start_use")))
    counted = tops.aggregate(**aggregates)
    rows = []
    for index, (words, _, _) in enumerate(TOP_STAGES):
        rows.append(
            {"label": f"People with a TOP about {words} months after starting", "count": counted[f"seen_{index}"]}
        )
        rows.append(
            {
                "label": f"of whom used on fewer days than at the start ({words} months)",
                "count": counted[f"reduced_{index}"],
                "of": len(rows) - 1,
            }
        )
    return {
        "item": 5,
        "title": "Reduced consumption at 6 and 12 months",
        "tables": [
            _counts(
                "TOPs taken in the quarter compared with the start TOP",
                rows,
                note="Days of use in the last 28 of every substance the TOP asks about, added together.",
            )
        ],
    }


def item_6_to_8_profile(scope: Scope) -> list[dict]:
    people = scope.in_treatment()
    end = scope.end
    bands, labels = {}, []
    for index, (low, high) in enumerate(AGE_BANDS):
        labels.append(f"{low} to {high}" if high else f"{low} and over")
        born = Q(person__date_of_birth__lte=_years_before(end, low))
        if high:
            born &= Q(person__date_of_birth__gt=_years_before(end, high + 1))
        bands[f"band_{index}"] = Count("person", distinct=True, filter=born)
    counted = people.aggregate(**bands)
    ages = {label: counted[f"band_{index}"] for index, label in enumerate(labels)}
    sexes = people.values_list("person__sex__label").annotate(n=Count("person", distinct=True)).order_by("-n")
    ethnicities = (
        people.values_list("person__ethnicity__label").annotate(n=Count("person", distinct=True)).order_by("-n")
    )
    return [
        {
            "item": 6,
            "title": "Breakdown by age",
            "tables": [_breakdown("People in treatment in the quarter by age at its end", list(ages.items()))],
        },
        {
            "item": 7,
            "title": "Breakdown by sex",
            "tables": [_breakdown("People in treatment in the quarter by sex", _merge(sexes))],
        },
        {
            "item": 8,
            "title": "Breakdown by ethnicity",
            "tables": [_breakdown("People in treatment in the quarter by ethnicity", _merge(ethnicities))],
        },
    ]


def _merge(rows) -> list[tuple[str, int]]:
    merged: dict[str, int] = {}
    for label, count in rows:
        merged[label or NOT_RECORDED] = merged.get(label or NOT_RECORDED, 0) + count
    return sorted(merged.items(), key=lambda row: (-row[1], row[0]))


def item_9_vulnerability(scope: Scope) -> dict:
    people = scope.with_assessment(scope.in_treatment())
    assessed = Assessment.objects.filter(pk=OuterRef("assessment_id"))
    people = people.annotate(
        employment=Subquery(assessed.values("employment_status__code")[:1]),
        accommodation=Subquery(assessed.values("accommodation_need__code")[:1]),
        dual_diagnosis=Subquery(assessed.values("dual_diagnosis__code")[:1]),
        justice=Subquery(assessed.values("criminal_justice_status")[:1]),
    )
    offender = (
        Q(referral__source__group=ReferralSourceGroup.CRIMINAL_JUSTICE)
        | Q(orders__order_date__lte=scope.end)
        | (Q(justice__isnull=False) & ~Q(justice=""))
    )
    counted = people.aggregate(
        unemployed=Count("person", distinct=True, filter=Q(employment=UNEMPLOYED)),
        offenders=Count("person", distinct=True, filter=offender),
        homeless=Count("person", distinct=True, filter=Q(accommodation=NO_FIXED_ABODE)),
        mental_health=Count(
            "person", distinct=True, filter=Q(dual_diagnosis=DUAL_DIAGNOSIS) | Q(person__comorbid_mental_health=True)
        ),
    )
    return {
        "item": 9,
        "title": "Service users by vulnerability",
        "tables": [
            _counts(
                "People in treatment in the quarter (one person may be in several rows)",
                [
                    {"label": "Unemployed and seeking work", "count": counted["unemployed"]},
                    {"label": "Offenders (criminal justice referral, order or status)", "count": counted["offenders"]},
                    {"label": "No fixed abode (urgent housing problem)", "count": counted["homeless"]},
                    {"label": "Mental health problems (dual diagnosis)", "count": counted["mental_health"]},
                    {"label": "Sexually exploited", "count": None},
                ],
                note="Sexual exploitation is not recorded by the service, so it has no figure.",
            )
        ],
    }


def item_10_substances(scope: Scope) -> dict:
    people = scope.with_assessment(scope.in_treatment())
    assessment_ids = people.filter(assessment_id__isnull=False).values("assessment_id")
    substances = AssessmentSubstance.objects.filter(assessment_id__in=assessment_ids)
    primary = substances.filter(rank=1).values_list("substance__label").annotate(n=Count("pk")).order_by("-n")
    secondary = substances.filter(rank=2).values_list("substance__label").annotate(n=Count("pk")).order_by("-n")
    routes = substances.filter(rank=1).values_list("route__label").annotate(n=Count("pk")).order_by("-n")
    per_assessment = Assessment.objects.filter(pk__in=assessment_ids).annotate(
        substance_count=Count("substances"),
        stimulants=Count("substances", filter=Q(substances__substance__code__in=STIMULANTS)),
    )
    counted = per_assessment.aggregate(
        assessed=Count("pk"),
        polydrug=Count("pk", filter=Q(substance_count__gt=1)),
        stimulant=Count("pk", filter=Q(stimulants__gt=0)),
        injecting=Count("pk", filter=Q(injecting_status__code=CURRENTLY_INJECTING)),
        sharing=Count("pk", filter=Q(injecting_status__code=CURRENTLY_INJECTING, sharing="yes")),
    )
    return {
        "item": 10,
        "title": "Drugs used, route and risk behaviour",
        "tables": [
            _breakdown("Primary substance (people with a completed assessment)", _merge(primary)),
            _breakdown("Secondary substance", _merge(secondary)),
            _breakdown("Route of the primary substance", _merge(routes)),
            _counts(
                "Polydrug use, stimulants and injecting",
                [
                    {"label": "People with a completed assessment", "count": counted["assessed"]},
                    {"label": "using more than one problem substance", "count": counted["polydrug"], "of": 0},
                    {
                        "label": "using a stimulant (crack, cocaine, amphetamines, ecstasy)",
                        "count": counted["stimulant"],
                        "of": 0,
                    },
                    {"label": "currently injecting", "count": counted["injecting"], "of": 0},
                    {"label": "currently injecting and sharing equipment", "count": counted["sharing"], "of": 3},
                ],
            ),
        ],
    }


def _first_interventions(scope: Scope):
    first = Modality.objects.filter(episode=OuterRef("episode"), started_on__isnull=False).order_by(
        "started_on", "referred_on", "pk"
    )
    modalities = Modality.objects.filter(
        pk=Subquery(first.values("pk")[:1]), started_on__range=(scope.start, scope.end)
    )
    if scope.team:
        modalities = modalities.filter(episode__team=scope.team)
    return modalities


def item_11_waits(scope: Scope) -> dict:
    wait = ExpressionWrapper(F("started_on") - F("referred_on"), output_field=DurationField())
    from_referral = ExpressionWrapper(
        F("started_on") - F("episode__referral__received_on"), output_field=DurationField()
    )
    counted = _first_interventions(scope).aggregate(
        n=Count("pk"),
        shortest=Min(wait),
        longest=Max(wait),
        mean=Avg(wait),
        rtt_shortest=Min(from_referral),
        rtt_longest=Max(from_referral),
        rtt_mean=Avg(from_referral),
    )
    rows = [
        {"label": "Modality referral to start: shortest", "value": _days(counted["shortest"]), "unit": "days"},
        {"label": "Modality referral to start: longest", "value": _days(counted["longest"]), "unit": "days"},
        {"label": "Modality referral to start: average (mean)", "value": _days(counted["mean"]), "unit": "days"},
        {"label": "Referral received to start: shortest", "value": _days(counted["rtt_shortest"]), "unit": "days"},
        {"label": "Referral received to start: longest", "value": _days(counted["rtt_longest"]), "unit": "days"},
        {"label": "Referral received to start: average (mean)", "value": _days(counted["rtt_mean"]), "unit": "days"},
    ]
    return {
        "item": 11,
        "title": "Waiting times for treatment",
        "tables": [
            _stats("Waits for a first intervention started in the quarter", counted["n"], "first interventions", rows)
        ],
    }


def item_12_prescribing(scope: Scope) -> dict:
    prescriptions = Prescription.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=scope.start), starts_on__lte=scope.end, medication__maintenance=True
    )
    if scope.team:
        prescriptions = prescriptions.filter(episode__team=scope.team)
    counted = prescriptions.aggregate(people=Count("person", distinct=True))
    return {
        "item": 12,
        "title": "Substitute prescribing",
        "tables": [
            _counts(
                "People prescribed an opioid substitute in the quarter",
                [{"label": "On substitute prescribing at some time in the quarter", "count": counted["people"]}],
            )
        ],
    }


def item_13_exits(scope: Scope) -> dict:
    discharged = Episode.objects.filter(scope.episodes(), discharged_on__range=(scope.start, scope.end))
    reasons = discharged.values_list("discharge_reason__label").annotate(n=Count("pk")).order_by("-n")
    outcomes = discharged.values_list("discharge_reason__outcome").annotate(n=Count("pk")).order_by("-n")
    outcome_labels = dict(DischargeOutcome.choices)
    return {
        "item": 13,
        "title": "Numbers and types of exits",
        "tables": [
            _breakdown("Discharges in the quarter by reason", _merge(reasons)),
            _breakdown(
                "Discharges in the quarter by outcome",
                [(outcome_labels.get(outcome, outcome), count) for outcome, count in outcomes],
            ),
        ],
    }


def item_14_onward(scope: Scope) -> dict:
    modalities = Modality.objects.filter(referred_on__range=(scope.start, scope.end))
    involvements = PartnerInvolvement.objects.filter(
        started_on__range=(scope.start, scope.end), recorded_on__lte=scope.end
    )
    signposted = Referral.objects.filter(
        triaged_on__range=(scope.start, scope.end),
        status__in=(ReferralStatus.SIGNPOSTED_TIER_1_2, ReferralStatus.BRIEF_INTERVENTION),
    )
    if scope.team:
        modalities = modalities.filter(episode__team=scope.team)
        involvements = involvements.filter(episode__team=scope.team)
        signposted = signposted.filter(team=scope.team)
    by_type = modalities.values_list("modality_type__label").annotate(n=Count("pk")).order_by("-n")
    offer_wait = ExpressionWrapper(F("first_offered_on") - F("referred_on"), output_field=DurationField())
    speed = modalities.filter(first_offered_on__lte=scope.end).aggregate(n=Count("pk"), mean=Avg(offer_wait))
    agencies = dict(PartnerAgency.choices)
    by_agency = involvements.values_list("agency").annotate(n=Count("pk")).order_by("-n")
    closed = signposted.values_list("status").annotate(n=Count("pk")).order_by("-n")
    statuses = dict(ReferralStatus.choices)
    return {
        "item": 14,
        "title": "People referred to other services",
        "tables": [
            _breakdown("Referrals to treatment modalities in the quarter", _merge(by_type)),
            _stats(
                "Speed of referral",
                speed["n"],
                "modality referrals offered a first appointment",
                [{"label": "Referral to first offer: average (mean)", "value": _days(speed["mean"]), "unit": "days"}],
            ),
            _breakdown(
                "Joint working with partner agencies started in the quarter",
                [(agencies.get(agency, agency), count) for agency, count in by_agency],
            ),
            _breakdown(
                "Referrals closed at triage and passed on", [(statuses.get(s, s), count) for s, count in closed]
            ),
        ],
    }


WHOLE_SERVICE_ONLY = "Recorded for the whole service, not by team."


def item_15_nsp(scope: Scope) -> dict:
    if scope.team:
        return {"item": 15, "title": "Needle and syringe programme", "tables": [], "note": WHOLE_SERVICE_ONLY}
    visits = NspVisit.objects.filter(visited_on__range=(scope.start, scope.end))
    counted = visits.aggregate(attenders=Count("attender", distinct=True), visits=Count("pk"))
    issued = NspIssue.objects.filter(visit__visited_on__range=(scope.start, scope.end)).aggregate(
        items=Coalesce(Sum("quantity"), Value(0))
    )
    return {
        "item": 15,
        "title": "Needle and syringe programme",
        "tables": [
            _counts(
                "Needle and syringe programme in the quarter",
                [
                    {"label": "People using the needle exchange (named or anonymous)", "count": counted["attenders"]},
                    {"label": "Visits", "count": counted["visits"]},
                    {"label": "Items issued", "count": issued["items"]},
                ],
            )
        ],
    }


def item_16_vaccination(scope: Scope) -> dict:
    courses = HepBCourse.objects.filter(offered_on__range=(scope.start, scope.end))
    tests = BbvTest.objects.filter(offered_on__range=(scope.start, scope.end))
    if scope.team:
        courses = courses.filter(episode__team=scope.team)
        tests = tests.filter(episode__team=scope.team)
    offered = courses.aggregate(
        people=Count("person", distinct=True),
        accepted=Count("person", distinct=True, filter=Q(offer=HepBOffer.ACCEPTED, outcome_on__lte=scope.end)),
    )
    tested = tests.aggregate(people=Count("person", distinct=True))
    return {
        "item": 16,
        "title": "Referrals for vaccination and blood-borne virus testing",
        "tables": [
            _counts(
                "Offers made in the quarter",
                [
                    {"label": "People offered hepatitis B vaccination", "count": offered["people"]},
                    {"label": "of whom accepted by the quarter end", "count": offered["accepted"], "of": 0},
                    {"label": "People offered a blood-borne virus test", "count": tested["people"]},
                ],
            )
        ],
    }


def item_17_feedback(scope: Scope) -> dict:
    feedback = ServiceFeedback.objects.filter(received_on__range=(scope.start, scope.end))
    if scope.team:
        feedback = feedback.filter(team=scope.team)
    ratings = dict(feedback.values_list("rating").annotate(n=Count("pk")))
    counted = feedback.aggregate(n=Count("pk"), mean=Avg("rating"))
    labels = {5: "5 (very good)", 4: "4 (good)", 3: "3 (neither good nor poor)", 2: "2 (poor)", 1: "1 (very poor)"}
    return {
        "item": 17,
        "title": "Service user feedback",
        "tables": [
            _breakdown("Feedback received in the quarter by rating", [(labels[r], ratings.get(r, 0)) for r in labels]),
            _stats(
                "Average rating",
                counted["n"],
                "pieces of feedback",
                [
                    {
                        "label": "Average (mean) rating, 1 to 5",
                        "value": None if counted["mean"] is None else round(float(counted["mean"]), 1),
                        "unit": "",
                    }
                ],
            ),
        ],
    }


def item_18_outcomes(scope: Scope) -> dict:
    latest = _later_tops(scope)
    counted = latest.aggregate(
        n=Count("episode", distinct=True),
        psychological_start=Avg("start_psychological"),
        psychological=Avg("psychological_health"),
        physical_start=Avg("start_physical"),
        physical=Avg("physical_health"),
        quality_start=Avg("start_quality"),
        quality=Avg("quality_of_life"),
    )

    def mean(key):
        return None if counted[key] is None else round(float(counted[key]), 1)

    rows = []
    for key, words in (
        ("psychological", "Psychological health"),
        ("physical", "Physical health"),
        ("quality", "Quality of life"),
    ):
        rows.append({"label": f"{words} at the start (mean, 0 to 20)", "value": mean(f"{key}_start"), "unit": ""})
        rows.append({"label": f"{words} at review or exit (mean, 0 to 20)", "value": mean(key), "unit": ""})
    return {
        "item": 18,
        "title": "Health and social outcomes (TOP)",
        "tables": [
            _stats("TOPs taken in the quarter compared with the start TOP", counted["n"], "people with a TOP", rows)
        ],
    }


def item_19_episode_length(scope: Scope) -> dict:
    length = ExpressionWrapper(F("discharged_on") - F("opened_on"), output_field=DurationField())
    counted = Episode.objects.filter(scope.episodes(), discharged_on__range=(scope.start, scope.end)).aggregate(
        n=Count("pk"), mean=Avg(length)
    )
    return {
        "item": 19,
        "title": "Average length of a treatment episode",
        "tables": [
            _stats(
                "Episodes that ended in the quarter",
                counted["n"],
                "episodes",
                [{"label": "Opened to discharged: average (mean)", "value": _days(counted["mean"]), "unit": "days"}],
            )
        ],
    }


def item_20_outreach(scope: Scope) -> dict:
    if scope.team:
        return {"item": 20, "title": "Outreach", "tables": [], "note": WHOLE_SERVICE_ONLY}
    contacts = OutreachContact.objects.filter(contacted_on__range=(scope.start, scope.end))
    settings = dict(OutreachSetting.choices)
    by_setting = dict(contacts.values_list("setting").annotate(n=Count("pk")))
    counted = contacts.aggregate(
        generic=Count("pk", filter=Q(setting__in=GENERIC_OUTREACH)),
        targeted=Count("pk", filter=~Q(setting__in=GENERIC_OUTREACH)),
        targeted_people=Count("person", distinct=True, filter=~Q(setting__in=GENERIC_OUTREACH)),
        no_record=Count("pk", filter=Q(person__isnull=True)),
    )
    return {
        "item": 20,
        "title": "Outreach",
        "tables": [
            _counts(
                "Outreach contacts in the quarter",
                [
                    {"label": "Contacts in generic settings (hospital, custody)", "count": counted["generic"]},
                    {"label": "Contacts through targeted outreach (street, hostel)", "count": counted["targeted"]},
                    {
                        "label": "People with a service record seen through targeted outreach",
                        "count": counted["targeted_people"],
                    },
                    {"label": "Contacts with someone who has no service record", "count": counted["no_record"]},
                ],
            ),
            _breakdown("Outreach contacts by setting", [(settings[s], by_setting.get(s, 0)) for s in settings]),
        ],
    }


def compute(period: Period, *, team: Team | None = None) -> dict:
    """Items 1-20 for one quarter and scope."""
    scope = Scope(period, team)
    sections = [
        item_1_referrals(scope),
        item_2_in_treatment(scope),
        item_3_data_quality(),
        item_4_completions(scope),
        item_5_reduced_use(scope),
        *item_6_to_8_profile(scope),
        item_9_vulnerability(scope),
        item_10_substances(scope),
        item_11_waits(scope),
        item_12_prescribing(scope),
        item_13_exits(scope),
        item_14_onward(scope),
        item_15_nsp(scope),
        item_16_vaccination(scope),
        item_17_feedback(scope),
        item_18_outcomes(scope),
        item_19_episode_length(scope),
        item_20_outreach(scope),
    ]
    return {"version": 1, "sections": sections}


def scopes() -> list[Team | None]:
    """The whole service and each team KPIs are computed for (the ARM and ESAP teams, domain.md 6b)."""
    return [None, *Team.objects.filter(kind__in=(TeamKind.ARM, TeamKind.ESAP), active=True).order_by("name")]


def mi_store(*, period: Period, team: Team | None = None) -> MiSnapshot:
    """Compute and upsert one quarter and scope: running it twice leaves one row."""
    tables = compute(period, team=team)
    with transaction.atomic():
        snapshot, _ = MiSnapshot.objects.update_or_create(
            period_label=period.label,
            team=team,
            defaults={
                "period_start": period.start,
                "period_end": period.end,
                "tables": tables,
                "computed_at": timezone.now(),
            },
        )
    return snapshot


def mi_store_all(*, period: Period) -> list[MiSnapshot]:
    return [mi_store(period=period, team=team) for team in scopes()]
