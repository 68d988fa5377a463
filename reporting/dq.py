"""Data completeness (DQ, domain.md sections 5, 6 and 6b): the 15 required items of an open episode as at `E`.

One function, `with_items`, annotates each episode with one boolean per item (`dq_<ITEM>`) and the count of
filled items (`dq_filled`), all in the same query, so the DQ page, its API and the KPI figure read one
definition. An item is filled as the return would write it (not `NA`) for the period ending `E`:

- DOB, SEX, RFLS: required by the database, so always filled; ETHNIC, GPPTCE: recorded on the person;
- `PC` or `LA` is one item: either the postcode or the local authority;
- DRUG1, ROUTE (of the rank 1 substance), INJSTAT, ACCMNEED, EMPSTAT, PRNTSTAT: from the assessment as at `E`
  (the latest one completed on or before `E`); with none, all six are missing;
- HEPBSTAT: filled unless a course was offered by `E` and no answer to any offer is dated by then (no offer is
  `D`); HEPCSTAT the same for hepatitis C tests (harm_reduction.selectors.episode_bbv_fields);
- CONSENT: filled once the person was asked (`consent_asked_on` on or before `E`).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import ExpressionWrapper
from django.db.models.functions import Cast
from django.urls import reverse

ITEMS = (
    "DOB",
    "SEX",
    "ETHNIC",
    "PC_LA",
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
REQUIRED_ITEMS = len(ITEMS)


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    # Where the item is put right: the person's details, the assessment, or the BBV record.
    fixed_on: str


ITEM_DETAILS = {
    "DOB": Item("DOB", "Date of birth", "person"),
    "SEX": Item("SEX", "Sex", "person"),
    "ETHNIC": Item("ETHNIC", "Ethnicity", "person"),
    "PC_LA": Item("PC or LA", "Postcode or local authority", "person"),
    "GPPTCE": Item("GPPTCE", "GP practice code", "person"),
    "RFLS": Item("RFLS", "Referral source", "person"),
    "DRUG1": Item("DRUG1", "Main problem substance", "assessment"),
    "ROUTE": Item("ROUTE", "Route of the main substance", "assessment"),
    "INJSTAT": Item("INJSTAT", "Injecting status", "assessment"),
    "ACCMNEED": Item("ACCMNEED", "Accommodation need", "assessment"),
    "EMPSTAT": Item("EMPSTAT", "Employment status", "assessment"),
    "PRNTSTAT": Item("PRNTSTAT", "Parental status", "assessment"),
    "HEPBSTAT": Item("HEPBSTAT", "Hepatitis B answer", "bbv"),
    "HEPCSTAT": Item("HEPCSTAT", "Hepatitis C test answer", "bbv"),
    "CONSENT": Item("CONSENT", "Asked about consent to share", "person"),
}


def open_at(episodes, as_of: date):
    """DQ's population: episodes open at `as_of` (opened on or before it, not discharged by then)."""
    return episodes.filter(opened_on__lte=as_of).filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=as_of))


def with_items(episodes, as_of: date):
    """Annotate `dq_<ITEM>` (bool) for each of the 15 items and `dq_filled` (their count), as at `as_of`."""
    from assessment.models import Assessment, AssessmentSubstance
    from harm_reduction.models import BbvTest, HepBCourse
    from harm_reduction.selectors import HEP_C_TESTS

    latest = (
        Assessment.objects.filter(episode=OuterRef("pk"), completed_on__lte=as_of)
        .order_by("-completed_on", "-pk")
        .values("pk")[:1]
    )
    assessed = Assessment.objects.filter(pk=OuterRef("dq_assessment"))
    main_substance = AssessmentSubstance.objects.filter(assessment=OuterRef("dq_assessment"), rank=1)
    person = OuterRef("person")
    hep_b_offered = HepBCourse.objects.filter(person=person, offered_on__lte=as_of)
    hep_b_answered = hep_b_offered.filter(outcome_on__lte=as_of)
    hep_c_offered = BbvTest.objects.filter(person=person, kind__in=HEP_C_TESTS, offered_on__lte=as_of)
    hep_c_answered = hep_c_offered.filter(answered_on__lte=as_of)

    def flag(condition):
        return ExpressionWrapper(condition, output_field=BooleanField())

    flags = {
        "dq_DOB": flag(Q(person__date_of_birth__isnull=False)),
        "dq_SEX": flag(Q(person__sex__isnull=False)),
        "dq_ETHNIC": flag(Q(person__ethnicity__isnull=False)),
        "dq_PC_LA": flag(~Q(person__postcode="") | ~Q(person__local_authority="")),
        "dq_GPPTCE": flag(~Q(person__gp_practice="")),
        "dq_RFLS": flag(Q(referral__source__isnull=False)),
        "dq_DRUG1": Exists(main_substance),
        "dq_ROUTE": Exists(main_substance.filter(route__isnull=False)),
        "dq_INJSTAT": Exists(assessed.filter(injecting_status__isnull=False)),
        "dq_ACCMNEED": Exists(assessed.filter(accommodation_need__isnull=False)),
        "dq_EMPSTAT": Exists(assessed.filter(employment_status__isnull=False)),
        "dq_PRNTSTAT": Exists(assessed.filter(parental_status__isnull=False)),
        "dq_HEPBSTAT": flag(~Q(Exists(hep_b_offered)) | Q(Exists(hep_b_answered))),
        "dq_HEPCSTAT": flag(~Q(Exists(hep_c_offered)) | Q(Exists(hep_c_answered))),
        "dq_CONSENT": flag(Q(person__consent_asked_on__lte=as_of)),
    }
    filled = sum((Cast(name, IntegerField()) for name in flags), Value(0))
    return episodes.annotate(dq_assessment=Subquery(latest)).annotate(**flags).annotate(dq_filled=filled)


def missing(row) -> list[Item]:
    """The items an annotated episode lacks, in the return's order."""
    return [ITEM_DETAILS[code] for code in ITEMS if not getattr(row, f"dq_{code}")]


def fix_url(item: Item, row) -> str:
    """Where the item is put right for this episode."""
    if item.fixed_on == "assessment":
        return reverse("assessment:episode-assessment", args=[row.pk])
    if item.fixed_on == "bbv":
        return reverse("harm_reduction:person-bbv", args=[row.person_id])
    return reverse("referrals:person-edit", args=[row.person_id])


def figure(episodes, as_of: date) -> tuple[int, int]:
    """(filled items, required items) over the episodes open at `as_of`: DQ's numerator and denominator."""
    from django.db.models import Count, Sum

    totals = with_items(open_at(episodes, as_of), as_of).aggregate(filled=Sum("dq_filled"), episodes=Count("pk"))
    return totals["filled"] or 0, totals["episodes"] * REQUIRED_ITEMS
