"""The interchange file's values, one function per field family, each as at a day `E` (domain.md 6, 6a, 6b).

`referral_rows` is the one query that walks the file: a referral per row with its person and episode joined.
Every other family is one query for a whole chunk of referrals (never a query per row) and answers with a
dictionary keyed by episode, person or referral id, already written as the file writes it (see `cell`).
`docs/data-dictionary.md` says where each field comes from; this module is that page in code.

Not scoped to a user: the caller starts from `Referral.objects.visible_to(user)` (data admins see everyone).
"""

from collections import defaultdict
from datetime import date

from django.db.models import BooleanField, Count, Expression, F, Max, Min, Q
from django.db.models.functions import Collate

from assessment.choices import Pregnancy
from assessment.models import TOP_RATINGS, TOP_WEEKLY_ITEMS, TOP_YES_NO, Assessment, AssessmentSubstance, Top
from harm_reduction.models import BbvTest, HepBCourse, HepBDose
from harm_reduction.selectors import HEP_C_TESTS, _hep_b_status, _hep_b_vaccination, _hep_c_status
from recovery_plans.models import Modality, PlanReview, PlanVersion
from referrals.choices import CONTACT_METHODS_THAT_COUNT, ReferralStatus
from referrals.models import Allocation, CommunityOrder, ContactAttempt, PartnerInvolvement
from reporting.returns.columns import NA, TOP_FIELDS, cell

# A referral closed at triage without an episode (6b: TRIAGED is NA, the closure is in XREFCLOSED / XREFOUTCOME).
CLOSED_WITHOUT_EPISODE = {
    ReferralStatus.BRIEF_INTERVENTION: "BI",
    ReferralStatus.SIGNPOSTED_TIER_1_2: "SP",
}
# 6b codes for PREGNANT; not applicable and unanswered are not sent.
PREGNANT_CODE = {Pregnancy.YES: "Y", Pregnancy.NO: "N", Pregnancy.DECLINED: "Z"}

# The TOP fields in file order, each with the `Top` column that holds it (data dictionary, TOP fields).
_TOP_SOURCE = {ndtms: field for field, ndtms, _label in (*TOP_WEEKLY_ITEMS, *TOP_RATINGS, *TOP_YES_NO)}
TOP_COLUMNS = [_TOP_SOURCE[name] for name in TOP_FIELDS[3:]]


class AnyOf(Expression):
    """`field = ANY(array)`: one parameter for a chunk's ids, where `field__in` would prepare and bind each."""

    output_field = BooleanField()

    def __init__(self, field: str, values):
        super().__init__()
        self.column = F(field)
        self.values = list(values)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.values)


def in_code_point_order(field: str):
    """6b orders identifiers in plain code-point order, whatever the database's collation."""
    return Collate(field, "C")


def return_referrals(queryset, *, start: date, end: date):
    """The referrals a monthly return holds (6b): received on or before E, open at some time in the month
    (a referral with an episode is open until the episode's discharge; one closed at triage, until its triage),
    never one found ineligible at receipt, never a merged duplicate's."""
    return (
        queryset.filter(received_on__lte=end, person__merged_into__isnull=True)
        .exclude(status=ReferralStatus.SIGNPOSTED_INELIGIBLE)
        .exclude(status__in=CLOSED_WITHOUT_EPISODE, triaged_on__lt=start)
        .exclude(episode__discharged_on__lt=start)
    )


def transfer_referrals(queryset, *, as_of: date):
    """Every referral and episode recorded by `as_of` (6b), ineligible ones and merged duplicates aside."""
    return queryset.filter(received_on__lte=as_of, person__merged_into__isnull=True).exclude(
        status=ReferralStatus.SIGNPOSTED_INELIGIBLE
    )


REFERRAL_VALUES = (
    "pk",
    "episode_id",
    "received_on",
    "source__code",
    "status",
    "triaged_on",
    "person_id",
    "person__client_id",
    "person__consent_national_return",
    "person__consent_asked_on",
    "person__given_name",
    "person__family_name",
    "person__date_of_birth",
    "person__sex__code",
    "person__ethnicity__code",
    "person__postcode",
    "person__local_authority",
    "person__gp_practice",
    "episode__pk",
    "episode__opened_on",
    "episode__discharged_on",
    "episode__discharge_reason__code",
)


def referral_rows(referrals):
    """One query for the whole file, in the row order of 6b (CLIENTID, then EPISODID, code-point order)."""
    return referrals.order_by(in_code_point_order("person__client_id"), in_code_point_order("episode_id")).values_list(
        *REFERRAL_VALUES
    )


def postcode(value: str) -> str:
    """6b: the full postcode, upper case, one space before the inward code."""
    compact = "".join(value.split()).upper()
    if not compact:
        return NA
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


def initial(name: str) -> str:
    return name[:1].upper() or NA


def consent(agreed: bool, asked_on: date | None, as_of: date) -> str:
    """Y or N once the person has been asked on or before `as_of`; NA before (not filled, for DQ)."""
    if asked_on is None or asked_on > as_of:
        return NA
    return "Y" if agreed else "N"


def assessment_fields(episode_ids, *, as_of: date) -> dict[int, dict[str, str]]:
    """DRUG1 to DUALDIAG from each episode's latest assessment completed on or before `as_of`, and XCOMPASSESS
    (its earliest). An episode with no completed assessment by then is left out: all NA. Two queries."""
    rows = (
        Assessment.objects.filter(AnyOf("episode_id", episode_ids), completed_on__lte=as_of)
        .order_by("episode_id", "completed_on", "pk")
        .values_list(
            "pk",
            "episode_id",
            "completed_on",
            "injecting_status__code",
            "alcohol_days",
            "alcohol_days_declined",
            "alcohol_units",
            "alcohol_units_declined",
            "children_living_with__code",
            "parental_status__code",
            "pregnant",
            "accommodation_need__code",
            "employment_status__code",
            "dual_diagnosis__code",
        )
    )
    first_completed: dict[int, date] = {}
    latest: dict[int, tuple] = {}
    for row in rows:
        first_completed.setdefault(row[1], row[2])
        latest[row[1]] = row
    substances: dict[int, dict[int, tuple]] = defaultdict(dict)
    for assessment_id, rank, substance, route, age, age_declined in AssessmentSubstance.objects.filter(
        AnyOf("assessment_id", [row[0] for row in latest.values()])
    ).values_list("assessment_id", "rank", "substance__code", "route__code", "age_first_use", "age_first_use_declined"):
        substances[assessment_id][rank] = (substance, route, None if age_declined else age)
    fields = {}
    for episode_id, row in latest.items():
        (pk, _, _, injecting, days, days_declined, units, units_declined, children, parental, pregnant) = row[:11]
        accommodation, employment, dual = row[11:]
        ranked = substances.get(pk, {})
        first = ranked.get(1, (None, None, None))
        fields[episode_id] = {
            "DRUG1": cell(first[0]),
            "DRUG1AGE": cell(first[2]),
            "ROUTE": cell(first[1]),
            "DRUG2": cell(ranked.get(2, (None,))[0]),
            "DRUG3": cell(ranked.get(3, (None,))[0]),
            "INJSTAT": cell(injecting),
            "ALCDDAYS": NA if days_declined else cell(days),
            "ALCUNITS": NA if units_declined else cell(units),
            "CHILDWTH": cell(children),
            "PRNTSTAT": cell(parental),
            "PREGNANT": PREGNANT_CODE.get(pregnant, NA),
            "ACCMNEED": cell(accommodation),
            "EMPSTAT": cell(employment),
            "DUALDIAG": cell(dual),
            "XCOMPASSESS": cell(first_completed[episode_id]),
        }
    return fields


def plan_fields(episode_ids, *, as_of: date) -> dict[int, dict[str, str]]:
    """CPLANDT and XRAPSIGNED (6b: the same day, the first assessor sign-off; a draft is not yet a plan) and
    XRAPREVIEW (the first plan review), each on or before `as_of`. Two queries."""
    fields: dict[int, dict[str, str]] = defaultdict(dict)
    signed = (
        PlanVersion.objects.filter(AnyOf("plan__episode_id", episode_ids), signed_on__lte=as_of)
        .values_list("plan__episode_id")
        .annotate(first=Min("signed_on"))
    )
    for episode_id, first in signed:
        fields[episode_id]["CPLANDT"] = fields[episode_id]["XRAPSIGNED"] = first.isoformat()
    reviewed = (
        PlanReview.objects.filter(AnyOf("plan__episode_id", episode_ids), reviewed_on__lte=as_of)
        .values_list("plan__episode_id")
        .annotate(first=Min("reviewed_on"))
    )
    for episode_id, first in reviewed:
        fields[episode_id]["XRAPREVIEW"] = first.isoformat()
    return fields


def bbv_fields(person_ids, *, as_of: date) -> dict[int, dict[str, str]]:
    """HEPBSTAT, HEPBVAC, HEPCSTAT and HEPCTSTD of each person as at `as_of` (6b: person-level facts, so every row
    of one person carries the same values). The answers are read by the rules of
    `harm_reduction.selectors.episode_bbv_fields`, over the person's whole record rather than capped at one
    episode's discharge. Three queries."""
    courses = defaultdict(list)
    for course in (
        HepBCourse.objects.filter(AnyOf("person_id", person_ids), offered_on__lte=as_of)
        .order_by("offered_on", "id")
        .values("pk", "person_id", "offer", "offered_on", "outcome_on", "completed_on")
    ):
        courses[course["person_id"]].append(course)
    given = defaultdict(list)
    for course_id, given_on in HepBDose.objects.filter(
        AnyOf("course__person_id", person_ids), given_on__lte=as_of
    ).values_list("course_id", "given_on"):
        given[course_id].append(given_on)
    tests = defaultdict(list)
    for test in (
        BbvTest.objects.filter(AnyOf("person_id", person_ids), kind__in=HEP_C_TESTS, offered_on__lte=as_of)
        .order_by("offered_on", "id")
        .values("person_id", "accepted", "answered_on", "tested_on")
    ):
        tests[test["person_id"]].append(test)
    fields = {}
    for person_id in person_ids:
        own_tests = tests.get(person_id, [])
        fields[person_id] = {
            "HEPBSTAT": cell(_hep_b_status(courses.get(person_id, []), as_of)),
            "HEPBVAC": cell(_hep_b_vaccination(courses.get(person_id, []), given, as_of)),
            "HEPCSTAT": cell(_hep_c_status(own_tests, as_of)),
            "HEPCTSTD": "Y" if any(t["tested_on"] and t["tested_on"] <= as_of for t in own_tests) else "N",
        }
    return fields


def modality_rows(episode_ids, *, as_of: date) -> dict[int, list[list[str]]]:
    """MODID to SUBMODDT of each modality referred on or before `as_of`, in MODID order (6b); a date after
    `as_of` is not yet recorded. One query."""
    rows = (
        Modality.objects.filter(AnyOf("episode_id", episode_ids), referred_on__lte=as_of)
        .annotate(latest_review=Max("reviews__reviewed_on", filter=Q(reviews__reviewed_on__lte=as_of)))
        .order_by()
        .values_list(
            "episode_id",
            "pk",
            "external_id",
            "modality_type__code",
            "setting__code",
            "referred_on",
            "first_offered_on",
            "started_on",
            "ended_on",
            "exit_status__code",
            "latest_review",
        )
    )
    by_episode: dict[int, list[list[str]]] = defaultdict(list)
    for episode_id, pk, external_id, modal, setting, referred, offered, started, ended, exit_code, review in rows:
        ended = ended if ended is not None and ended <= as_of else None
        by_episode[episode_id].append(
            [
                external_id or modality_identifier(pk),
                cell(modal),
                cell(setting),
                referred.isoformat(),
                _on_or_before(offered, as_of),
                _on_or_before(started, as_of),
                cell(ended),
                cell(exit_code) if ended else NA,
                cell(review),
            ]
        )
    for modalities in by_episode.values():
        modalities.sort(key=lambda modality: modality[0])
    return by_episode


def top_rows(episode_ids, *, as_of: date) -> dict[int, list[list[str]]]:
    """TOPID to QUALLIFE of each TOP dated on or before `as_of`, by TOPDATE then TOPID (6b). One query."""
    rows = (
        Top.objects.filter(AnyOf("episode_id", episode_ids), top_date__lte=as_of)
        .order_by()
        .values_list("episode_id", "pk", "external_id", "top_date", "stage__code", *TOP_COLUMNS)
    )
    by_episode: dict[int, list[list[str]]] = defaultdict(list)
    for episode_id, pk, external_id, top_date, stage, *values in rows:
        identifier = external_id or top_identifier(pk)
        by_episode[episode_id].append([identifier, top_date.isoformat(), cell(stage), *map(cell, values)])
    for tops in by_episode.values():
        tops.sort(key=lambda top: (top[1], top[0]))
    return by_episode


def modality_identifier(pk: int) -> str:
    """MODID of a modality recorded here; one from a transfer file keeps its own (`external_id`, 6b)."""
    return str(pk)


def top_identifier(pk: int) -> str:
    return str(pk)


def first_contacts(referral_ids, *, as_of: date) -> dict[int, str]:
    """XFIRSTCONTACT: the earliest contact by phone or in person on or before `as_of` (letters and failed attempts
    never count, as in `referrals.services.intake.first_contact_on`). One query."""
    rows = (
        ContactAttempt.objects.filter(
            AnyOf("referral_id", referral_ids), method__in=CONTACT_METHODS_THAT_COUNT, made_on__lte=as_of
        )
        .values_list("referral_id")
        .annotate(first=Min("made_on"))
    )
    return {referral_id: first.isoformat() for referral_id, first in rows}


def keyworkers(episodes: dict[int, date | None], *, as_of: date) -> dict[int, str]:
    """XKEYWORKER: the lead keyworker of the allocation current at `as_of`; for an episode discharged by then,
    its last allocation. `episodes` maps each episode id to its discharge date. One query."""
    rows = (
        Allocation.objects.filter(AnyOf("episode_id", episodes), allocated_on__lte=as_of)
        .order_by("episode_id", "allocated_on", "pk")
        .values_list("episode_id", "ended_on", "keyworker__username")
    )
    found = {}
    for episode_id, ended_on, username in rows:
        discharged_on = episodes[episode_id]
        discharged = discharged_on is not None and discharged_on <= as_of
        if discharged or ended_on is None or ended_on > as_of:
            found[episode_id] = username
    return found


def community_orders(episodes: dict[int, tuple[int, date]], *, as_of: date) -> dict[int, tuple[str, str]]:
    """XCJORDER and XCJORDERDT: the latest order made on or before `as_of` that is linked to the episode, or
    linked to none and made for the person since the referral was received (the rule of `prescribing.waits`).
    `episodes` maps each episode id to (person id, referral received date). One query."""
    person_episodes = defaultdict(list)
    for episode_id, (person_id, received_on) in episodes.items():
        person_episodes[person_id].append((episode_id, received_on))
    rows = (
        CommunityOrder.objects.filter(order_date__lte=as_of)
        .filter(Q(AnyOf("episode_id", episodes)) | Q(AnyOf("person_id", person_episodes), episode__isnull=True))
        .order_by("order_date", "pk")
        .values_list("person_id", "episode_id", "kind", "order_date")
    )
    found = {}
    for person_id, episode_id, kind, order_date in rows:
        if episode_id is not None:
            found[episode_id] = (kind, order_date.isoformat())
            continue
        for candidate, received_on in person_episodes[person_id]:
            if order_date >= received_on:
                found[candidate] = (kind, order_date.isoformat())
    return found


def joint_working(episode_ids, *, as_of: date) -> set[int]:
    """XJOINTWORK Y: a partner agency involvement recorded on or before `as_of`. One query."""
    return set(
        PartnerInvolvement.objects.filter(AnyOf("episode_id", episode_ids), recorded_on__lte=as_of)
        .values_list("episode_id")
        .annotate(count=Count("pk"))
        .values_list("episode_id", flat=True)
    )


def referral_closure(status: str, triaged_on: date | None, as_of: date) -> tuple[str, str]:
    """XREFCLOSED and XREFOUTCOME of a referral without an episode: closed at triage (brief intervention or
    signposted to tier 1/2) on its triage date; NA while it is open."""
    outcome = CLOSED_WITHOUT_EPISODE.get(status)
    if outcome is None or triaged_on is None or triaged_on > as_of:
        return NA, NA
    return triaged_on.isoformat(), outcome


def _on_or_before(value: date | None, as_of: date) -> str:
    return value.isoformat() if value is not None and value <= as_of else NA
